// The JSON Schemas of Fraud.Dapr's events (../schemas), compiled once: the examples validate every
// event they send or receive against the contract the services publish.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import AjvModule, { type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const Ajv = AjvModule.default ?? AjvModule;
const addFormats = addFormatsModule.default ?? addFormatsModule;

export type EventKind = "transaction" | "anomaly" | "verdict";

const schemaDir = process.env.FRAUD_SCHEMAS ?? join(dirname(fileURLToPath(import.meta.url)), "..", "..", "schemas");
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
for (const file of readdirSync(schemaDir).filter((f) => f.endsWith(".schema.json"))) {
  ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, file), "utf8")));
}

const validators = new Map<EventKind, ValidateFunction>();

export function validator(kind: EventKind): ValidateFunction {
  let validate = validators.get(kind);
  if (!validate) {
    validate = ajv.getSchema(`https://fraud-dapr.example/schemas/${kind}.schema.json`);
    if (!validate) {
      throw new Error(`no schema ${kind}.schema.json in ${schemaDir}`);
    }
    validators.set(kind, validate);
  }
  return validate;
}

/** The schema errors of an event as one line, or null when it is valid. */
export function problems(kind: EventKind, event: unknown): string | null {
  const validate = validator(kind);
  return validate(event) ? null : ajv.errorsText(validate.errors, { dataVar: kind });
}
