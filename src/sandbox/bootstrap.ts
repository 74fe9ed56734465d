/**
 * The trusted code that runs in every isolate before the workflow's bundle. It takes the host's
 * one entry point off the global object (keeping it in its closure), makes time and randomness
 * deterministic, removes ways to build code from strings, and defines `__charterStart`, which
 * runs the workflow and always resolves to a JSON outcome: guest code can never throw into the host.
 *
 * Time inside a run is logical: the run's start time, then the time each tool call finished (as
 * journaled), so a replay after a crash sees the same clock. Math.random is a PRNG seeded from
 * the run record, for the same reason.
 */
export const BOOTSTRAP_SOURCE = String.raw`(function () {
  "use strict";
  const g = globalThis;
  // The host's entry point stays in this closure. A tool call goes out through it, fire and
  // forget, with an id; the host answers by calling __charterResolve, which the host holds a
  // reference to and which is gone from the global object before any guest code runs.
  const host = g.__charterHost;
  delete g.__charterHost;
  const hostCall = (id, request) => host("call", id, request);
  const hostLog = (level, message, data) => host("log", level, message, data);
  const reflectApply = Reflect.apply;
  const PromiseCtor = Promise;
  const pending = new Map();
  const mapGet = Map.prototype.get;
  const mapSet = Map.prototype.set;
  const mapDelete = Map.prototype.delete;
  let nextCall = 0;
  g.__charterResolve = function resolve(id, reply) {
    const settle = reflectApply(mapGet, pending, [id]);
    reflectApply(mapDelete, pending, [id]);
    if (settle) settle(reply);
  };
  const hostBridge = (request) =>
    new PromiseCtor((settle) => {
      const id = nextCall++;
      reflectApply(mapSet, pending, [id, settle]);
      hostCall(id, request);
    });
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const fromEntries = Object.fromEntries;
  const freeze = Object.freeze;
  const StringCtor = String;
  let clock = 0;
  // Set from the run's limits at start: what crosses to the host is cut here, before it is copied.
  let logBytes = 8192;
  let argsBytes = 262144;

  // Deterministic time: Date.now() and new Date() read the logical clock.
  const RealDate = Date;
  function LogicalDate(...args) {
    if (!new.target) return new RealDate(clock).toString();
    return args.length === 0 ? new RealDate(clock) : new RealDate(...args);
  }
  LogicalDate.prototype = RealDate.prototype;
  LogicalDate.now = () => clock;
  LogicalDate.parse = RealDate.parse;
  LogicalDate.UTC = RealDate.UTC;
  Object.defineProperty(RealDate.prototype, "constructor", { value: LogicalDate });
  g.Date = LogicalDate;

  // Deterministic randomness: xorshift128+ seeded by the host.
  let s0 = 0x9e3779b9, s1 = 0x243f6a88;
  Math.random = function random() {
    let x = s0, y = s1;
    s0 = y; x ^= x << 23; x ^= x >>> 17; x ^= y ^ (y >>> 26); s1 = x;
    return ((s0 + s1) >>> 0) / 4294967296;
  };

  // Intl reads the clock too when no date is given: the logical clock, as Date does.
  const dtf = Intl.DateTimeFormat.prototype;
  const formatGetter = Object.getOwnPropertyDescriptor(dtf, "format").get;
  const formatToParts = dtf.formatToParts;
  Object.defineProperty(dtf, "format", {
    get() {
      const format = reflectApply(formatGetter, this, []);
      return (date) => format(date === undefined ? clock : date);
    },
    configurable: false,
  });
  Object.defineProperty(dtf, "formatToParts", {
    value: function (date) {
      return reflectApply(formatToParts, this, [date === undefined ? clock : date]);
    },
    writable: false,
    configurable: false,
  });

  // No code from strings: the compiler rejects these, and here they do not exist.
  delete g.eval;
  const functionKinds = [
    Function.prototype,
    Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function* () {}),
  ];
  for (const proto of functionKinds) {
    Object.defineProperty(proto, "constructor", { value: undefined, writable: false, configurable: false });
  }
  g.Function = undefined;
  delete g.WebAssembly;
  delete g.SharedArrayBuffer;
  delete g.Atomics;

  const indexOf = String.prototype.indexOf;
  const slice = String.prototype.slice;
  const NumberCtor = Number;
  g.__charterBridge = async function bridge(request) {
    if (typeof request === "string" && request.length > argsBytes) {
      // So the host knows this failure was given, not made up: the tool, from the head of the request
      // (the runtime writes {"integration":…,"tool":…,"args":…}), read without parsing the rest.
      const head = /^\{"integration":("(?:[^"\\]|\\.){0,200}"),"tool":("(?:[^"\\]|\\.){0,500}"),/.exec(
        reflectApply(slice, request, [0, 1000]),
      );
      if (head) host("refused", "LIMIT_EXCEEDED", parse(head[1]) + "." + parse(head[2]));
      const message = "the arguments are over " + argsBytes + " bytes";
      return stringify({ ok: false, error: { code: "LIMIT_EXCEEDED", message: message, retryable: false } });
    }
    const answer = await hostBridge(request);
    const bar = reflectApply(indexOf, answer, ["|"]);
    clock = NumberCtor(reflectApply(slice, answer, [0, bar]));
    return reflectApply(slice, answer, [bar + 1]);
  };

  // A line's message is cut to the line limit and oversized data is sent as its size: the host
  // never receives (or keeps) more than the limit, whatever the workflow logs.
  const log = (level) => (message, data) => {
    let text = StringCtor(message);
    if (text.length > logBytes) text = reflectApply(slice, text, [0, logBytes]) + " [cut at " + logBytes + " bytes]";
    const json = data === undefined ? undefined : stringify(data);
    hostLog(level, text, typeof json === "string" && json.length > logBytes ? json.length : json);
  };

  /** An error's JSON from strings (primitives: no prototype of the guest's takes part). */
  const errorJson = (code, message, tool) =>
    '{"code":' + stringify(code) + ',"message":' + stringify(message) +
    (tool === undefined ? "" : ',"tool":' + stringify(tool)) + "}";
  const invalidOutput = (why) =>
    '{"ok":false,"error":{"code":"OUTPUT_INVALID","message":' +
    stringify("the output or the saved state is not JSON: " + reflectApply(slice, StringCtor(why), [0, 500])) +
    '},"state":null}';

  // The start hook cannot be replaced by guest code (it would report the run's outcome itself).
  const start = async function start(inputJson, infoJson, stateJson) {
    const info = parse(infoJson);
    clock = info.startedAt;
    if (info.limits) {
      logBytes = info.limits.logBytes;
      argsBytes = info.limits.argsBytes;
    }
    s0 = info.seed[0] | 0 || 1;
    s1 = info.seed[1] | 0 || 2;
    const state = new Map(Object.entries(parse(stateJson)));
    let stateChanged = false;
    const ctx = freeze({
      log: freeze({ info: log("info"), warn: log("warn"), error: log("error") }),
      state: freeze({
        get: (key) => (state.has(StringCtor(key)) ? parse(stringify(state.get(StringCtor(key)))) : undefined),
        set: (key, value) => { state.set(StringCtor(key), parse(stringify(value))); stateChanged = true; },
        delete: (key) => { stateChanged = state.delete(StringCtor(key)) || stateChanged; },
      }),
      now: () => new RealDate(clock),
      run: freeze(info.run),
    });
    // The outcome's JSON is built here from pieces, never by stringifying an object the guest's
    // prototypes could reach: an Object.prototype.toJSON (or a setter) of the workflow's could
    // otherwise rewrite a failure into a success. Strings are primitives: toJSON never applies.
    const finish = (ok, value) => {
      let valueJson;
      let stateJson = "null";
      try {
        valueJson = ok ? stringify(value === undefined ? null : value) : value;
        if (stateChanged) stateJson = stringify(fromEntries(state));
      } catch (error) {
        return invalidOutput(error !== null && typeof error === "object" ? error.message : error);
      }
      if (typeof valueJson !== "string" || typeof stateJson !== "string") return invalidOutput("it has no JSON form");
      return (ok ? '{"ok":true,"output":' : '{"ok":false,"error":') + valueJson + ',"state":' + stateJson + "}";
    };
    try {
      const definition = g.__charterWorkflow && g.__charterWorkflow.default;
      if (!definition || typeof definition.run !== "function") {
        return '{"ok":false,"error":{"code":"WORKFLOW_INVALID",' +
          '"message":"the script does not export a workflow definition"},"state":null}';
      }
      const output = await definition.run(parse(inputJson), ctx);
      return finish(true, output);
    } catch (error) {
      const isObject = error !== null && typeof error === "object";
      const isToolError = isObject && error.name === "ToolError" && typeof error.code === "string";
      const said = isObject && "message" in error ? error.message : error;
      const message = reflectApply(slice, StringCtor(said), [0, 2000]);
      if (!isToolError) return finish(false, errorJson("WORKFLOW_ERROR", message));
      const tool = StringCtor(error.integration) + "." + StringCtor(error.tool);
      return finish(false, errorJson(StringCtor(error.code), message, tool));
    }
  };
  Object.defineProperty(g, "__charterStart", { value: start, writable: false, configurable: false, enumerable: false });
})();`;
