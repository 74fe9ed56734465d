/**
 * A regular expression too long for one line, written over several: rx("i")`…`. A line break and
 * the indentation after it are not part of the pattern; everything else is, exactly as in a regex
 * literal (the template is read raw, so `\s` is `\s`). Nothing can be interpolated.
 */
export function rx(flags = ""): (strings: TemplateStringsArray) => RegExp {
  return (strings) => new RegExp(strings.raw.join("").replace(/\n[ \t]*/g, ""), flags);
}
