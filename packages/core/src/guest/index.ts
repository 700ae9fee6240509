/** Building guest programs in code. */
export { ProgramImage, AsmError, type ImageFixup, type AssembledImage } from "./program-image.js";
