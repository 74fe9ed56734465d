export { Dispatcher, RUN_QUEUE } from "./dispatcher.ts";
export type { DispatcherEvent, RunJob } from "./dispatcher.ts";
