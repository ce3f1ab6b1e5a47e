// Receives Fraud.Dapr's alerts and analysts' verdicts, as a case-management or notification service
// would: subscribes to pubsub/anomalies and pubsub/feedback through its Dapr sidecar, checks each
// event against its JSON Schema, and drops repeats (delivery is at least once) by transaction id.
//   APP_PORT=3001 node dist/consumer.js [--out events.jsonl]
// Each event is one JSON line on stdout or in --out: {"kind":"anomaly"|"verdict","event":{...}},
// and {"kind":"duplicate"|"invalid",...} for what was dropped.
import { appendFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { CommunicationProtocolEnum, DaprPubSubStatusEnum, DaprServer } from "@dapr/dapr";
import { type EventKind, problems } from "./schemas.js";

const { values } = parseArgs({ options: { out: { type: "string" } } });
const write = (line: object) =>
  values.out ? appendFileSync(values.out, JSON.stringify(line) + "\n") : console.log(JSON.stringify(line));

const seen = new Set<string>();

function handle(kind: EventKind, event: { transactionId?: string; status?: string }): DaprPubSubStatusEnum {
  const problem = problems(kind, event);
  if (problem !== null) {
    // Not retried: a malformed event will not become valid. Investigate with the line written here.
    write({ kind: "invalid", of: kind, problem, event });
    return DaprPubSubStatusEnum.DROP;
  }
  // An alert is one per transaction; a verdict one per transaction and review status.
  const key = kind === "anomaly" ? `anomaly:${event.transactionId}` : `verdict:${event.transactionId}:${event.status}`;
  if (seen.has(key)) {
    write({ kind: "duplicate", of: kind, transactionId: event.transactionId });
    return DaprPubSubStatusEnum.SUCCESS;
  }
  seen.add(key);
  write({ kind, event });
  return DaprPubSubStatusEnum.SUCCESS;
}

const server = new DaprServer({
  serverHost: "127.0.0.1",
  serverPort: process.env.APP_PORT ?? "3001",
  communicationProtocol: CommunicationProtocolEnum.HTTP,
  clientOptions: { daprHost: "127.0.0.1", daprPort: process.env.DAPR_HTTP_PORT ?? "3500" },
});
await server.pubsub.subscribe("pubsub", "anomalies", async (event) => handle("anomaly", event));
await server.pubsub.subscribe("pubsub", "feedback", async (event) => handle("verdict", event));
await server.start();
console.error(`consumer listening on 127.0.0.1:${process.env.APP_PORT ?? "3001"}`);
