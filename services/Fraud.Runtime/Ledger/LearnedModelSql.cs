namespace Fraud.Runtime.Ledger;

/// <summary>
/// The statements both ledgers run on <c>learned_models</c>, so they agree. The newest is the last
/// saved (by id), not the latest <c>created_at</c>: replicas' clocks need not agree.
/// </summary>
public static class LearnedModelSql
{
    /// <summary>Learnt models kept: the newest, and a few before it to look back at.</summary>
    public const int Kept = 5;

    internal const string Insert =
        "INSERT INTO learned_models (version, created_at, content) VALUES (@version, @createdAt, @content) ON CONFLICT (version) DO NOTHING";

    internal const string Trim =
        "DELETE FROM learned_models WHERE version NOT IN (SELECT version FROM learned_models ORDER BY id DESC LIMIT @kept)";

    internal const string Latest = "SELECT content FROM learned_models ORDER BY id DESC LIMIT 1";
}
