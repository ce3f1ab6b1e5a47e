namespace Fraud.Core.Evaluation;

/// <summary>
/// The cards (accounts) the investigators already know to be compromised on a test day, which the
/// handbook's protocol leaves out of that day's test set (its <c>get_train_test_set</c>): an account
/// with a fraud from the start of the training window on, whose label has arrived by the start of
/// the day (the fraud's time + the label delay). Such a card is blocked in practice, so ranking it
/// again would only inflate every figure, card precision@100 most of all.
/// </summary>
/// <remarks>Feed the rows in time order: <see cref="IsKnown"/> for a row, then <see cref="Observe"/> it.</remarks>
public sealed class KnownCompromised(DateTimeOffset from, TimeSpan labelDelay)
{
    private readonly PriorityQueue<string, DateTimeOffset> _labelsOnTheWay = new();
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="account"/> is known compromised on the UTC day of <paramref name="time"/>.</summary>
    public bool IsKnown(string account, DateTimeOffset time)
    {
        var dayStart = new DateTimeOffset(time.UtcDateTime.Date, TimeSpan.Zero);
        while (_labelsOnTheWay.TryPeek(out var known, out var arrives) && arrives <= dayStart)
        {
            _labelsOnTheWay.Dequeue();
            _known.Add(known);
        }

        return _known.Contains(account);
    }

    /// <summary>A row of the stream: a fraud from <c>from</c> on makes its account known once its label arrives.</summary>
    public void Observe(string account, DateTimeOffset time, bool isFraud)
    {
        if (isFraud && time >= from)
        {
            _labelsOnTheWay.Enqueue(account, time + labelDelay);
        }
    }
}
