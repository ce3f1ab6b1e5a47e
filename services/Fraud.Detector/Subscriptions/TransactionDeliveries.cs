using System.Text.Json;
using Fraud.Contracts;
using Fraud.Detector.Observability;
using Fraud.Runtime;
using Fraud.Runtime.Messaging;
using Fraud.Runtime.Observability;

namespace Fraud.Detector.Subscriptions;

/// <summary>
/// Answers Dapr deliveries of the <c>transactions</c> topic entry by entry: a malformed entry is
/// published to <c>transactions-deadletter</c> with its errors, counted, and answered DROP (RETRY if
/// even the dead letter cannot be written, so nothing is lost); the valid entries are scored and
/// committed together and answered SUCCESS, or RETRY if that failed. One bad entry never fails the batch.
/// </summary>
public sealed class TransactionDeliveries(IEventHandler<Transaction> handler, DeadLetterSender deadLetters, ILogger<TransactionDeliveries> logger)
{
    private readonly ThrottledLog _failureLog = new(TimeSpan.FromSeconds(10));

    public async Task<IReadOnlyList<EntryStatus>> HandleAsync(IReadOnlyList<DeliveryEntry> entries, CancellationToken cancellationToken)
    {
        var statuses = new EntryStatus[entries.Count];
        var valid = new List<Transaction>(entries.Count);
        var validIndex = new List<int>(entries.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var errors = new List<FieldError>();
            var payload = EventPayload.Extract(entries[i].Event, errors);
            var tx = payload is null ? null : TransactionJson.ParseOne(payload, errors);
            if (tx is null)
            {
                var status = await deadLetters.SendAsync(DaprNames.TransactionsTopic, entries[i].EntryId, entries[i].Event, errors, cancellationToken)
                    .ConfigureAwait(false);
                if (status == DeliveryStatus.Drop)
                {
                    DetectorMetrics.TransactionsProcessed.WithLabels("dead_letter").Inc();
                }

                statuses[i] = new EntryStatus(entries[i].EntryId, status);
                continue;
            }

            if (!seen.Add(tx.TransactionId))
            {
                // The same transaction twice in one delivery: score it once, acknowledge both.
                statuses[i] = new EntryStatus(entries[i].EntryId, DeliveryStatus.Success);
                DetectorMetrics.TransactionsProcessed.WithLabels("duplicate").Inc();
                continue;
            }

            valid.Add(tx);
            validIndex.Add(i);
        }

        var outcome = DeliveryStatus.Success;
        try
        {
            await handler.HandleAsync(valid, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (_failureLog.ShouldLog(out var suppressed))
            {
                logger.LogWarning(e, "Scoring or committing {Count} transactions failed ({Suppressed} more failed deliveries since the last one logged); Dapr will redeliver them", valid.Count, suppressed);
            }

            DetectorMetrics.TransactionsProcessed.WithLabels("retried").Inc(valid.Count);
            outcome = DeliveryStatus.Retry;
        }

        foreach (var i in validIndex)
        {
            statuses[i] = new EntryStatus(entries[i].EntryId, outcome);
        }

        // A duplicate within the delivery shares the fate of its first copy.
        if (outcome == DeliveryStatus.Retry)
        {
            for (var i = 0; i < statuses.Length; i++)
            {
                if (statuses[i].Status == DeliveryStatus.Success)
                {
                    statuses[i] = statuses[i] with { Status = DeliveryStatus.Retry };
                }
            }
        }

        return statuses;
    }

    /// <summary>Reads a delivery body: a bulk message (<c>entries</c>) or a single event, as one list.</summary>
    public static (IReadOnlyList<DeliveryEntry> Entries, bool Bulk) ReadBody(JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("entries", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            var entries = new List<DeliveryEntry>(list.GetArrayLength());
            var position = 0;
            foreach (var item in list.EnumerateArray())
            {
                var id = item.TryGetProperty("entryId", out var entryId) && entryId.ValueKind == JsonValueKind.String
                    ? entryId.GetString()!
                    : $"#{position}";
                var ev = item.TryGetProperty("event", out var value) ? value : default;
                var contentType = item.TryGetProperty("contentType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
                entries.Add(new DeliveryEntry(id, ev, contentType));
                position++;
            }

            return (entries, true);
        }

        var single = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("id", out var ceId) && ceId.ValueKind == JsonValueKind.String
            ? ceId.GetString()!
            : "single";
        return ([new DeliveryEntry(single, body, null)], false);
    }
}
