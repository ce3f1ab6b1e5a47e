namespace Fraud.Runtime.Ledger;

/// <summary>The statements both ledgers run to read labels back, so they agree.</summary>
internal static class LabelSql
{
    public const string After = """
        SELECT label_seq AS Sequence, transaction_id AS TransactionId, account_id AS AccountId,
               merchant_id AS MerchantId, transaction_time AS TransactionTime, label AS IsFraud
          FROM scored_transactions
         WHERE label_seq > @after
         ORDER BY label_seq
         LIMIT @max
        """;

    /// <summary>The condition lets both answer from the partial index on <c>label_seq</c>.</summary>
    public const string Last = "SELECT coalesce(max(label_seq), 0) FROM scored_transactions WHERE label_seq IS NOT NULL";
}
