/**
 * The console's only script. Pages work without it (a page that is still changing refreshes
 * itself, from a refresh inside noscript); with it, such a page follows a server-sent event stream
 * instead: each event's text is added as a line (textContent, never markup), and the page reloads
 * when the stream says it ended.
 */
function follow(element: HTMLElement): void {
  const url = element.dataset["live"];
  if (!url) return;
  const source = new EventSource(url);
  source.addEventListener("line", (event) => {
    const line = document.createElement("li");
    line.textContent = (event as MessageEvent<string>).data;
    element.append(line);
  });
  source.addEventListener("end", (event) => {
    source.close();
    const next = (event as MessageEvent<string>).data;
    if (next.startsWith("/console/")) window.location.assign(next);
    else window.location.reload();
  });
  // A stream refused (too many open) or cut: the page stays as it is and says how to see more.
  source.onerror = () => {
    source.close();
    const line = document.createElement("li");
    line.textContent = "Live updates stopped: reload the page to see the latest.";
    element.append(line);
  };
}

function confirmations(): void {
  for (const form of document.querySelectorAll<HTMLFormElement>("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset["confirm"] ?? "Are you sure?")) event.preventDefault();
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const element of document.querySelectorAll<HTMLElement>("[data-live]")) follow(element);
  confirmations();
});
