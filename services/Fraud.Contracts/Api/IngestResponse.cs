namespace Fraud.Contracts.Api;

/// <summary>
/// The answer of <c>POST /transactions</c>: how many transactions are durable; which ids came more
/// than once in the request (<see cref="Duplicates"/> copies beyond the first, up to 100 of the ids
/// in <see cref="DuplicateIds"/>); and which ids were scored before with other content
/// (<see cref="Conflicts"/>, up to 100 in <see cref="ConflictIds"/>). Only the first copy of an id
/// is ever scored: a later copy, even with other content, is acknowledged and dropped, as a resend
/// of the same id always is.
/// </summary>
public sealed record IngestResponse(
    int Accepted,
    int Duplicates = 0,
    IReadOnlyList<string>? DuplicateIds = null,
    int Conflicts = 0,
    IReadOnlyList<string>? ConflictIds = null)
{
    public const int MaxListedIds = 100;

    /// <summary>The answer for <paramref name="transactions"/>, of which <paramref name="conflicting"/> differ from what was scored under their ids.</summary>
    public static IngestResponse For(int accepted, IReadOnlyList<Transaction> transactions, IReadOnlyList<string> conflicting)
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
                if (ids.Count < MaxListedIds && !ids.Contains(tx.TransactionId, StringComparer.Ordinal))
                {
                    ids.Add(tx.TransactionId);
                }
            }
        }

        return new IngestResponse(
            accepted,
            duplicates,
            ids,
            conflicting.Count,
            conflicting.Count == 0 ? null : [.. conflicting.Take(MaxListedIds)]);
    }
}
