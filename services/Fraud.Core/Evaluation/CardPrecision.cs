namespace Fraud.Core.Evaluation;

/// <summary>
/// Card precision@k of the "Reproducible Machine Learning for Credit Card Fraud Detection" handbook:
/// investigators can check k accounts a day. Each day (in increasing order) the accounts not found on
/// an earlier day are ranked by their highest score that day; the day's precision is the number of
/// the top k that had a fraud that day, divided by k even when fewer than k accounts are left. Those
/// accounts count as found and leave the later days. The result is the mean over the days present.
/// </summary>
public static class CardPrecision
{
    /// <param name="day">Day index of each transaction (e.g. days since the epoch); only its order matters.</param>
    /// <param name="account">Dense, non-negative account index of each transaction; arrays of the largest index + 1 are allocated.</param>
    /// <param name="score">Score of each transaction; NaN is rejected.</param>
    /// <param name="label">Whether each transaction is a fraud.</param>
    /// <param name="k">Accounts checked per day.</param>
    /// <remarks>
    /// Accounts tied on score at the k boundary are taken in increasing account index, so the figure is
    /// reproducible. Mean is NaN when there are no transactions. O(n log n) time, O(n + accounts) memory.
    /// </remarks>
    public static CardPrecisionResult AtK(
        ReadOnlySpan<int> day, ReadOnlySpan<int> account, ReadOnlySpan<double> score, ReadOnlySpan<bool> label, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var n = day.Length;
        if (account.Length != n || score.Length != n || label.Length != n)
        {
            throw new ArgumentException(
                $"day, account, score and label differ in length ({n}, {account.Length}, {score.Length}, {label.Length}).",
                nameof(label));
        }

        var accounts = 0;
        for (var i = 0; i < n; i++)
        {
            if (account[i] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(account), account[i], "Account indexes must be non-negative.");
            }

            if (double.IsNaN(score[i]))
            {
                throw new ArgumentException("A score is NaN.", nameof(score));
            }

            accounts = Math.Max(accounts, account[i] + 1);
        }

        // Transaction indexes grouped by day; the order inside a day does not matter (max aggregates).
        var days = day.ToArray();
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        Array.Sort(days, order);

        var state = new AccountState(accounts);
        var perDay = new List<double>();
        var compromisedPerDay = new List<int>();
        var dayValues = new List<int>();
        var start = 0;
        while (start < n)
        {
            var end = start + 1;
            while (end < n && days[end] == days[start])
            {
                end++;
            }

            var (hits, compromised) = state.RankDay(order.AsSpan(start, end - start), account, score, label, k);
            perDay.Add(hits / (double)k);
            compromisedPerDay.Add(compromised);
            dayValues.Add(days[start]);
            start = end;
        }

        double sum = 0;
        foreach (var precision in perDay)
        {
            sum += precision;
        }

        return new CardPrecisionResult(perDay.Count == 0 ? double.NaN : sum / perDay.Count, perDay, compromisedPerDay, dayValues);
    }

    /// <summary>Per-account scratch arrays reused across days, so a day costs O(its rows · log).</summary>
    private sealed class AccountState(int accounts)
    {
        private readonly double[] _best = new double[accounts];
        private readonly bool[] _fraud = new bool[accounts];
        private readonly bool[] _found = new bool[accounts];
        // The day (1-based ordinal) an account was last seen, so the arrays need no clearing per day.
        private readonly int[] _seenOn = new int[accounts];
        private readonly int[] _ranked = new int[accounts];
        private int _dayOrdinal;

        public (int Hits, int Compromised) RankDay(
            ReadOnlySpan<int> rows, ReadOnlySpan<int> account, ReadOnlySpan<double> score, ReadOnlySpan<bool> label, int k)
        {
            _dayOrdinal++;
            var count = 0;
            foreach (var row in rows)
            {
                var a = account[row];
                if (_found[a])
                {
                    continue;
                }

                if (_seenOn[a] != _dayOrdinal)
                {
                    _seenOn[a] = _dayOrdinal;
                    _best[a] = score[row];
                    _fraud[a] = label[row];
                    _ranked[count++] = a;
                }
                else
                {
                    _best[a] = Math.Max(_best[a], score[row]);
                    _fraud[a] |= label[row];
                }
            }

            var ranked = _ranked.AsSpan(0, count);
            var compromised = 0;
            foreach (var a in ranked)
            {
                compromised += _fraud[a] ? 1 : 0;
            }

            if (count > k)
            {
                ranked.Sort(new ByBestScore(_best));
                ranked = ranked[..k];
            }

            var hits = 0;
            foreach (var a in ranked)
            {
                if (_fraud[a])
                {
                    hits++;
                    _found[a] = true;
                }
            }

            return (hits, compromised);
        }
    }

    /// <summary>Highest score first; equal scores by increasing account index.</summary>
    private readonly struct ByBestScore(double[] best) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            var bx = best[x];
            var by = best[y];
            return bx > by ? -1 : bx < by ? 1 : x.CompareTo(y);
        }
    }
}
