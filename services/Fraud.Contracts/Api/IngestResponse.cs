namespace Fraud.Contracts.Api;

/// <summary>
/// The answer of <c>POST /transactions</c>: how many transactions are durable, and which ids came
/// more than once in the request (<see cref="Duplicates"/> copies beyond the first, up to 100 of
/// the ids in <see cref="DuplicateIds"/>). Only the first copy of an id is scored; a later copy,
/// even with other content, is acknowledged and dropped, as a resend of the same id always is.
/// </summary>
public sealed record IngestResponse(int Accepted, int Duplicates = 0, IReadOnlyList<string>? DuplicateIds = null)
{
    public const int MaxDuplicateIds = 100;

    public static IngestResponse For(int accepted, IReadOnlyList<Transaction> transactions)
    {
        var seen = new HashSet<string>(transactions.Count, StringComparer.Ordinal);
        var duplicates = 0;
        List<string>? ids = null;
        foreach (var tx in transactions)
        {
            if (!seen.Add(tx.TransactionId))
            {
                duplicates++;
                ids ??= [];
                if (ids.Count < MaxDuplicateIds && !ids.Contains(tx.TransactionId, StringComparer.Ordinal))
                {
                    ids.Add(tx.TransactionId);
                }
            }
        }

        return new IngestResponse(accepted, duplicates, ids);
    }
}
