namespace Fraud.Core.Features;

/// <summary>
/// One merchant's (terminal's) volume and the fraud known on it. Fraud is counted per day of the
/// fraudulent transaction, in a ring of <see cref="RingDays"/> days, when its label arrives; the
/// risk windows end <c>LabelDelay</c> back so their denominators hold only transactions whose fate
/// is normally known by now. No label is ever used before it arrives.
/// For a quiet terminal whose days hold a transaction or two, the last <see cref="RecentCapacity"/>
/// transactions are also kept one by one with their known-fraud flag, so the fate of its latest
/// settled transactions is exact rather than diluted in day totals.
/// Not thread-safe: callers lock the profile (merchants are shared across account shards).
/// </summary>
public sealed class MerchantProfile : IProfile
{
    public const int RingDays = 64;
    public const int RecentCapacity = 8;

    private const float MaxDays = 365f;

    internal DayCounts TransactionsPerDay;
    internal DayFrauds FraudsPerDay;
    /// <summary>Newest day held in the rings; older slots hold the days before it.</summary>
    internal int RingDay = int.MinValue;

    internal MerchantRecentInts RecentTime;
    internal MerchantRecentInts RecentTransaction;
    /// <summary>Bit i set: recent transaction i is a known fraud.</summary>
    internal byte RecentFraud;
    internal byte RecentHead;
    internal byte RecentCount;

    internal int LastSeconds;
    internal int TotalCount;
    internal float Count1h, Count1d, Count7d, Count30d, Sum30d;
    internal int LastKnownFraudSeconds;
    internal bool HasKnownFraud;

    /// <summary>The merchant's category as its transactions last gave it: a fraud label on the merchant counts for it too.</summary>
    internal string? Category;

    public int LastSeen => LastSeconds;

    public int TransactionCount => TotalCount;

    /// <summary>Writes the merchant features of <paramref name="tx"/> from history only.</summary>
    public void Extract(in TransactionView tx, Span<float> f, int labelDelayDays)
    {
        var t = tx.Seconds;
        var missing = FeatureVector.Missing;
        if (TotalCount == 0)
        {
            for (var i = (int)Feature.MerchantCount1h; i <= (int)Feature.MerchantLastSettledIsFraud; i++)
            {
                f[i] = missing;
            }

            f[(int)Feature.MerchantCount1h] = 0;
            f[(int)Feature.MerchantCount1d] = 0;
            f[(int)Feature.MerchantCount7d] = 0;
            f[(int)Feature.MerchantCount30d] = 0;
            f[(int)Feature.MerchantKnownFrauds30d] = 0;
            return;
        }

        var c1h = Count1h * Decay.Factor(LastSeconds, t, Decay.Hour);
        var c1 = Count1d * Decay.Factor(LastSeconds, t, Decay.Day);
        var c7 = Count7d * Decay.Factor(LastSeconds, t, Decay.Week);
        var d30 = Decay.Factor(LastSeconds, t, Decay.Month);
        var c30 = Count30d * d30;
        f[(int)Feature.MerchantCount1h] = c1h;
        f[(int)Feature.MerchantCount1d] = c1;
        f[(int)Feature.MerchantCount7d] = c7;
        f[(int)Feature.MerchantCount30d] = c30;
        f[(int)Feature.AmountToMerchantMean] = AmountToMean(tx, d30);
        f[(int)Feature.MerchantBurst1hVs7d] = c1h / MathF.Max(c7 / (7f * 24f), 1f / 24f);

        var today = TimeKey.Day(t);
        var lagEnd = today - labelDelayDays;
        f[(int)Feature.MerchantRisk1d] = Risk(lagEnd, 1);
        f[(int)Feature.MerchantRisk7d] = Risk(lagEnd, 7);
        f[(int)Feature.MerchantRisk30d] = Risk(lagEnd, 30);
        f[(int)Feature.MerchantKnownFrauds30d] = FraudsBetween(today - 29, today);
        f[(int)Feature.MerchantDaysSinceKnownFraud] = HasKnownFraud
            ? MathF.Min(MathF.Max(t - LastKnownFraudSeconds, 0) / Decay.Day, MaxDays)
            : missing;
        f[(int)Feature.MerchantDaysSinceFirstKnownFraud] = FirstFraudDay(today - RingDays + 1) is { } first ? today - first : missing;
        Settled(t - labelDelayDays * TimeKey.SecondsPerDay, f);
    }

    /// <summary>
    /// The two features a merchant category's profile gives (<see cref="Feature.CategoryRisk30d"/>,
    /// <see cref="Feature.AmountToCategoryMean"/>), computed as <see cref="Extract"/> computes their
    /// merchant twins but without the rest: it runs for every transaction that has a category.
    /// </summary>
    public (float Risk30d, float AmountToMean) ExtractAsCategory(in TransactionView tx, int labelDelayDays) =>
        TotalCount == 0
            ? (FeatureVector.Missing, FeatureVector.Missing)
            : (Risk(TimeKey.Day(tx.Seconds) - labelDelayDays, 30), AmountToMean(tx, Decay.Factor(LastSeconds, tx.Seconds, Decay.Month)));

    private float AmountToMean(in TransactionView tx, float d30)
    {
        var c30 = Count30d * d30;
        return c30 > 1e-3f && Sum30d > 0 ? (float)tx.Amount / (Sum30d * d30 / c30) : FeatureVector.Missing;
    }

    /// <summary>Fraud share of the recent transactions old enough for their fate to be known, and the latest one's.</summary>
    private void Settled(int settledBefore, Span<float> f)
    {
        var settled = 0;
        var frauds = 0;
        var latest = int.MinValue;
        var latestIsFraud = false;
        for (var i = 0; i < RecentCount; i++)
        {
            var time = RecentTime[i];
            if (time > settledBefore)
            {
                continue;
            }

            var fraud = (RecentFraud & (1 << i)) != 0;
            settled++;
            frauds += fraud ? 1 : 0;
            if (time >= latest)
            {
                latest = time;
                latestIsFraud = fraud;
            }
        }

        f[(int)Feature.MerchantSettledFraudShare] = settled == 0 ? FeatureVector.Missing : frauds / (float)settled;
        f[(int)Feature.MerchantLastSettledIsFraud] = settled == 0 ? FeatureVector.Missing : latestIsFraud ? 1f : 0f;
    }

    public void Add(in TransactionView tx)
    {
        var t = tx.Seconds;
        var amount = (float)tx.Amount;
        if (TotalCount == 0)
        {
            LastSeconds = t;
        }

        if (t >= LastSeconds)
        {
            var d1h = Decay.Factor(LastSeconds, t, Decay.Hour);
            var d1 = Decay.Factor(LastSeconds, t, Decay.Day);
            var d7 = Decay.Factor(LastSeconds, t, Decay.Week);
            var d30 = Decay.Factor(LastSeconds, t, Decay.Month);
            Count1h = Count1h * d1h + 1f;
            Count1d = Count1d * d1 + 1f;
            Count7d = Count7d * d7 + 1f;
            Count30d = Count30d * d30 + 1f;
            Sum30d = Sum30d * d30 + amount;
            LastSeconds = t;
        }
        else
        {
            var w30 = Decay.Weight(t, LastSeconds, Decay.Month);
            Count1h += Decay.Weight(t, LastSeconds, Decay.Hour);
            Count1d += Decay.Weight(t, LastSeconds, Decay.Day);
            Count7d += Decay.Weight(t, LastSeconds, Decay.Week);
            Count30d += w30;
            Sum30d += w30 * amount;
        }

        if (TotalCount < int.MaxValue)
        {
            TotalCount++;
        }

        RecentTime[RecentHead] = t;
        RecentTransaction[RecentHead] = tx.TransactionHash;
        RecentFraud &= (byte)~(1 << RecentHead);
        RecentHead = (byte)((RecentHead + 1) % RecentCapacity);
        if (RecentCount < RecentCapacity)
        {
            RecentCount++;
        }

        var day = TimeKey.Day(t);
        AdvanceTo(day);
        if (day > RingDay - RingDays)
        {
            ref var slot = ref TransactionsPerDay[Slot(day)];
            if (slot < int.MaxValue)
            {
                slot++;
            }
        }
    }

    /// <summary>Credits a fraud that has become known, on the day its transaction happened.</summary>
    public void AddKnownFraud(int transactionSeconds, int transactionHash)
    {
        for (var i = 0; i < RecentCount; i++)
        {
            if (RecentTransaction[i] == transactionHash && RecentTime[i] == transactionSeconds)
            {
                RecentFraud |= (byte)(1 << i);
            }
        }

        var day = TimeKey.Day(transactionSeconds);
        AdvanceTo(day);
        if (day > RingDay - RingDays)
        {
            ref var slot = ref FraudsPerDay[Slot(day)];
            if (slot < ushort.MaxValue)
            {
                slot++;
            }
        }

        if (!HasKnownFraud || transactionSeconds > LastKnownFraudSeconds)
        {
            LastKnownFraudSeconds = transactionSeconds;
            HasKnownFraud = true;
        }
    }

    /// <summary>Known fraud share of the transactions on days [end − days + 1, end].</summary>
    private float Risk(int end, int days)
    {
        var start = end - days + 1;
        long transactions = 0;
        long frauds = 0;
        for (var day = Math.Max(start, RingDay - RingDays + 1); day <= Math.Min(end, RingDay); day++)
        {
            var slot = Slot(day);
            transactions += TransactionsPerDay[slot];
            frauds += FraudsPerDay[slot];
        }

        return transactions == 0 ? FeatureVector.Missing : Math.Min(1f, frauds / (float)transactions);
    }

    /// <summary>
    /// The first day of the run of fraud days that leads up to the latest known fraud (gaps under a
    /// week join a run): how long the merchant has been compromised, as far as is known.
    /// </summary>
    private int? FirstFraudDay(int start)
    {
        int? first = null;
        var lastFraudDay = int.MinValue;
        for (var day = Math.Max(start, RingDay - RingDays + 1); day <= RingDay; day++)
        {
            if (FraudsPerDay[Slot(day)] == 0)
            {
                continue;
            }

            if (first is null || day - lastFraudDay > 7)
            {
                first = day;
            }

            lastFraudDay = day;
        }

        return first;
    }

    private float FraudsBetween(int start, int end)
    {
        long frauds = 0;
        for (var day = Math.Max(start, RingDay - RingDays + 1); day <= Math.Min(end, RingDay); day++)
        {
            frauds += FraudsPerDay[Slot(day)];
        }

        return frauds;
    }

    private void AdvanceTo(int day)
    {
        if (RingDay == int.MinValue)
        {
            RingDay = day;
            return;
        }

        if (day <= RingDay)
        {
            return;
        }

        // Clear the slots of the days that the ring now moves past.
        var steps = Math.Min(day - RingDay, RingDays);
        for (var i = 1; i <= steps; i++)
        {
            var slot = Slot(RingDay + i);
            TransactionsPerDay[slot] = 0;
            FraudsPerDay[slot] = 0;
        }

        RingDay = day;
    }

    private static int Slot(int day) => (int)((uint)day % RingDays);
}
