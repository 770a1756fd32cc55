import { contextKeysTable, keysTable } from "../src/config/reference.js"
console.log(keysTable())
console.log("=====")
console.log(contextKeysTable())
