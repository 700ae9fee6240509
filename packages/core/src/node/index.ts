/** File and socket edges of @vmstate/core (Node only). */
export { openFileSource, type FileSource } from "./file-source.js";
export { fileHandleSink, writeFileAtomic } from "./file-sink.js";
export { readableSource } from "./readable-source.js";
