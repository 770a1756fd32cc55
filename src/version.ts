/** Kept equal to package.json's version (a test checks it); a constant so the bundle needs no file reads. */
export const VERSION = "0.1.0"
