// Sends transactions to Fraud.Dapr, as a card processor's gateway would:
//   through Dapr:  node dist/producer.js --file transactions.json
//                  (publishes to pubsub/transactions, partition key = accountId)
//   over REST:     node dist/producer.js --file transactions.json --rest http://127.0.0.1:8080 --api-key KEY
// The file is a JSON array of transactions (schemas/transaction.schema.json). Each one is checked
// against the schema first: nothing is sent when any is invalid. Exit code 0 when all were accepted.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { CommunicationProtocolEnum, DaprClient } from "@dapr/dapr";
import { problems } from "./schemas.js";

interface Transaction {
  transactionId: string;
  accountId: string;
  [field: string]: unknown;
}

const { values } = parseArgs({
  options: {
    file: { type: "string" },
    rest: { type: "string" },
    "api-key": { type: "string" },
  },
});
if (!values.file) {
  console.error("usage: producer --file transactions.json [--rest http://fraud-api:8080 --api-key KEY]");
  process.exit(2);
}

const transactions = JSON.parse(await readFile(values.file, "utf8")) as Transaction[];
const invalid = transactions
  .map((tx, i) => [i, problems("transaction", tx)] as const)
  .filter(([, problem]) => problem !== null);
if (invalid.length > 0) {
  for (const [i, problem] of invalid) {
    console.error(`${values.file}: transaction ${i}: ${problem}`);
  }
  process.exit(1);
}

if (values.rest) {
  await postOverRest(values.rest, values["api-key"], transactions);
} else {
  await publishThroughDapr(transactions);
}

async function publishThroughDapr(batch: Transaction[]): Promise<void> {
  // DAPR_HTTP_PORT and DAPR_API_TOKEN come from the sidecar's environment, as `dapr run` sets them.
  const client = new DaprClient({ communicationProtocol: CommunicationProtocolEnum.HTTP });
  await client.start();
  // One account's transactions in the order given (its partition keeps that order); accounts in parallel.
  const byAccount = new Map<string, Transaction[]>();
  for (const tx of batch) {
    byAccount.set(tx.accountId, [...(byAccount.get(tx.accountId) ?? []), tx]);
  }
  let failed = 0;
  await Promise.all(
    [...byAccount.values()].map(async (account) => {
      for (const tx of account) {
        const result = await client.pubsub.publish("pubsub", "transactions", tx, {
          contentType: "application/json",
          metadata: { partitionKey: tx.accountId },
        });
        if (result.error) {
          console.error(`${tx.transactionId}: not published: ${result.error}`);
          failed++;
          return; // the account's later transactions must not overtake this one
        }
      }
    }),
  );
  console.log(`published ${batch.length - failed} of ${batch.length} transactions`);
  process.exit(failed === 0 ? 0 : 1);
}

async function postOverRest(url: string, apiKey: string | undefined, batch: Transaction[]): Promise<void> {
  for (let start = 0; start < batch.length; start += 1000) {
    const chunk = batch.slice(start, start + 1000);
    const response = await fetch(new URL("/transactions", url), {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(apiKey ? { "X-Api-Key": apiKey } : {}) },
      body: JSON.stringify(chunk),
    });
    if (response.status !== 202) {
      // A 503 lists the ids to send again (ids are idempotent); anything else names what to fix.
      console.error(`POST /transactions answered ${response.status}: ${await response.text()}`);
      process.exit(1);
    }
  }
  console.log(`posted ${batch.length} transactions`);
}
