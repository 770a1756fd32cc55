import { keysTable } from "../src/config/reference.js"
console.log(keysTable())
