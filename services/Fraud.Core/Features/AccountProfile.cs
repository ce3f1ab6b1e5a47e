namespace Fraud.Core.Features;

/// <summary>
/// One account's behaviour, in a fixed ~540 bytes whatever its volume: the last
/// <see cref="RecentCapacity"/> transactions exactly (velocity, median, rank, repeats, duplicates)
/// and exponentially decayed 1 d / 7 d / 30 d windows for everything longer.
/// Not thread-safe: per-account updates are serialised by the caller (a shard or an actor).
/// </summary>
public sealed class AccountProfile : IProfile
{
    public const int RecentCapacity = 16;
    public const int KnownCapacity = 4;

    /// <summary>Transactions older than an hour needed before the last hour is left out of the amount baseline.</summary>
    private const int MinSettledHistory = 3;

    private const float MaxDays = 365f;

    internal const int NoChannel = 0xF;

    // Ring of the most recent transactions, newest at RecentHead - 1.
    internal RecentInts RecentTime;
    internal RecentFloats RecentAmount;
    internal RecentInts RecentMerchant;
    internal RecentInts RecentTransaction;
    internal RecentInts RecentCategory;
    /// <summary>Four bits per ring entry: its channel, or <see cref="NoChannel"/>.</summary>
    internal ulong RecentChannels = ulong.MaxValue;
    /// <summary>Bit i set: recent transaction i is a known fraud, left out of the amount baseline.</summary>
    internal ushort RecentFraud;
    internal byte RecentHead;
    internal byte RecentCount;

    // Small sets of the devices and countries seen, replaced round-robin.
    internal KnownIds Devices;
    internal KnownIds Countries;
    internal byte DeviceNext;
    internal byte CountryNext;

    // A device or country becomes known only when seen on a second day (or vouched for by a review,
    // Vouch): a burst in one new country must not make that country "known" after its first
    // transaction. The candidate and its day.
    internal int PendingDevice, PendingDeviceDay;
    internal int PendingCountry, PendingCountryDay;

    /// <summary>Anchor time of the decayed sums: the newest transaction seen.</summary>
    internal int LastSeconds;
    internal int FirstSeconds;
    internal int TotalCount;

    internal float Count1d, Count7d, Count30d;
    internal float Sum1d, Sum7d, Sum30d;
    internal float Max7d, Max30d;
    internal float LogSum30d, LogSquares30d;
    internal float HourX, HourY;
    internal float HomeLat, HomeLon, HomeWeight;
    internal float LastLat, LastLon;
    internal int LastLocationSeconds;
    internal bool HasLocation;
    internal float KnownFraud30d;
    internal int LastKnownFraudSeconds;
    internal bool HasKnownFraud;

    public int LastSeen => LastSeconds;

    public bool IsEmpty => RecentCount == 0;

    public int TransactionCount => TotalCount;

    /// <summary>
    /// Writes the account features of <paramref name="tx"/> (from history only) into
    /// <paramref name="features"/>, then adds the transaction to the profile. Returns false, and
    /// changes nothing, when the transaction was already seen (a redelivery).
    /// </summary>
    public bool Observe(in TransactionView tx, Span<float> features, double smallAmount)
    {
        if (IsDuplicate(tx))
        {
            // A redelivery is scored as on its first delivery: its own entry is not history.
            Extract(tx, features, smallAmount, excludeSelf: true);
            return false;
        }

        Extract(tx, features, smallAmount);
        Add(tx);
        return true;
    }

    /// <summary>
    /// Writes the account features of <paramref name="tx"/> without adding it: what an
    /// authorisation-time check sees before the payment happens.
    /// </summary>
    public void Peek(in TransactionView tx, Span<float> features, double smallAmount) => Extract(tx, features, smallAmount);

    public bool IsDuplicate(in TransactionView tx)
    {
        for (var i = 0; i < RecentCount; i++)
        {
            if (RecentTransaction[i] == tx.TransactionHash && RecentTime[i] == tx.Seconds)
            {
                return true;
            }
        }

        return false;
    }

    internal void Extract(in TransactionView tx, Span<float> f, double smallAmount, bool excludeSelf = false)
    {
        var t = tx.Seconds;
        var amount = (float)tx.Amount;
        f[(int)Feature.Amount] = amount;
        f[(int)Feature.HourOfDay] = tx.HourOfDay;
        f[(int)Feature.IsNight] = tx.HourOfDay < 6f ? 1f : 0f;
        f[(int)Feature.IsWeekend] = tx.IsWeekend ? 1f : 0f;
        f[(int)Feature.Channel] = tx.Channel;

        if (RecentCount == 0)
        {
            ExtractWithoutHistory(tx, f);
            return;
        }

        var d1 = Decay.Factor(LastSeconds, t, Decay.Day);
        var d7 = Decay.Factor(LastSeconds, t, Decay.Week);
        var d30 = Decay.Factor(LastSeconds, t, Decay.Month);
        var c1 = Count1d * d1;
        var c7 = Count7d * d7;
        var c30 = Count30d * d30;

        // Exact short-term view from the ring; entries later than t exist only for late deliveries.
        // The amount baseline and merchant novelty use history from before the current burst (the
        // last hour), so a burst neither moves its own baseline nor makes its merchant "known";
        // an account whose whole history is that recent falls back to all of it.
        var settled = 0;
        for (var i = 0; i < RecentCount; i++)
        {
            if (RecentTime[i] <= t - TimeKey.SecondsPerHour)
            {
                settled++;
            }
        }

        var baselineFrom = settled >= MinSettledHistory ? t - TimeKey.SecondsPerHour : int.MaxValue;
        Span<float> amounts = stackalloc float[RecentCapacity];
        var n = 0;
        var count1h = 0;
        var small1h = 0;
        var sum1h = 0f;
        var previous = int.MinValue;
        var below = 0f;
        var considered = 0;
        var newMerchant = tx.MerchantHash != 0 ? 1f : FeatureVector.Missing;
        var newCategory = FeatureVector.Missing;
        var categorySum = 0f;
        var categoryCount = 0;
        var newChannel = FeatureVector.Missing;
        for (var i = 0; i < RecentCount; i++)
        {
            var ti = RecentTime[i];
            if (ti > t || (excludeSelf && ti == t && RecentTransaction[i] == tx.TransactionHash))
            {
                continue;
            }

            var ai = RecentAmount[i];
            considered++;
            var settledEntry = ti <= baselineFrom;
            if ((RecentFraud & (1 << i)) == 0 && settledEntry)
            {
                amounts[n++] = ai;
            }

            if (ai < amount)
            {
                below += 1f;
            }
            else if (ai == amount)
            {
                below += 0.5f;
            }

            if (t - ti < TimeKey.SecondsPerHour)
            {
                count1h++;
                sum1h += ai;
                if (ai <= smallAmount)
                {
                    small1h++;
                }
            }

            if (ti > previous)
            {
                previous = ti;
            }

            if (RecentMerchant[i] == tx.MerchantHash && tx.MerchantHash != 0 && settledEntry)
            {
                newMerchant = 0f;
            }

            // Category and channel: new only against settled entries that recorded one (older
            // profiles, and producers that send them only sometimes, leave them unknown).
            if (tx.CategoryHash != 0 && RecentCategory[i] != 0 && settledEntry)
            {
                if (RecentCategory[i] == tx.CategoryHash)
                {
                    newCategory = 0f;
                    if ((RecentFraud & (1 << i)) == 0)
                    {
                        categorySum += ai;
                        categoryCount++;
                    }
                }
                else if (newCategory != 0f)
                {
                    newCategory = 1f;
                }
            }

            var channel = ChannelAt(i);
            if (tx.Channel >= 0 && channel != NoChannel && settledEntry && newChannel != 0f)
            {
                newChannel = channel == tx.Channel ? 0f : 1f;
            }
        }

        var missing = FeatureVector.Missing;
        f[(int)Feature.AccountSecondsSincePrevious] = previous == int.MinValue ? missing : t - previous;
        f[(int)Feature.AccountCount1h] = count1h;
        f[(int)Feature.AccountCount1d] = c1;
        f[(int)Feature.AccountCount7d] = c7;
        f[(int)Feature.AccountCount30d] = c30;
        var mean1 = c1 > 1e-3f ? Sum1d * d1 / c1 : missing;
        var mean7 = c7 > 1e-3f ? Sum7d * d7 / c7 : missing;
        var mean30 = c30 > 1e-3f ? Sum30d * d30 / c30 : missing;
        var max30 = Max30d * d30;
        f[(int)Feature.AccountMeanAmount1d] = mean1;
        f[(int)Feature.AccountMeanAmount7d] = mean7;
        f[(int)Feature.AccountMeanAmount30d] = mean30;
        f[(int)Feature.AccountMaxAmount7d] = Max7d * d7;
        f[(int)Feature.AccountMaxAmount30d] = max30;
        f[(int)Feature.AccountAmountSum1h] = sum1h;
        f[(int)Feature.AccountSmallCount1h] = small1h;
        f[(int)Feature.AmountToMean30d] = mean30 > 0 ? amount / mean30 : missing;
        f[(int)Feature.AmountToMean7d] = mean7 > 0 ? amount / mean7 : missing;
        Sort(amounts[..n]);
        f[(int)Feature.AmountToRecentMedian] = n > 0 ? amount / MathF.Max(Median(amounts[..n]), 0.01f) : missing;
        f[(int)Feature.AmountToRecentLowerQuartile] = n > 0 ? amount / MathF.Max(amounts[(n - 1) / 4], 0.01f) : missing;
        f[(int)Feature.AmountToMax30d] = max30 > 1e-3f ? amount / max30 : missing;
        f[(int)Feature.AmountZScore30d] = ZScore(amount, c30, d30);
        f[(int)Feature.AmountRankRecent] = considered > 0 ? below / considered : missing;
        f[(int)Feature.AccountBurst1dVs30d] = c1 / MathF.Max(c30 / 30f, 1f / 30f);
        f[(int)Feature.AccountHistoryCount] = excludeSelf ? TotalCount - 1 : TotalCount;
        f[(int)Feature.AccountAgeDays] = MathF.Min(MathF.Max(t - FirstSeconds, 0) / Decay.Day, MaxDays);
        f[(int)Feature.AccountHourDeviation] = HourDeviation(tx.HourOfDay, c30, d30);
        f[(int)Feature.AccountKnownFraud30d] = KnownFraud30d * d30;
        f[(int)Feature.AccountDaysSinceKnownFraud] = HasKnownFraud
            ? MathF.Min(MathF.Max(t - LastKnownFraudSeconds, 0) / Decay.Day, MaxDays)
            : missing;

        f[(int)Feature.NewMerchantForAccount] = newMerchant;
        f[(int)Feature.NewCategoryForAccount] = newCategory;
        f[(int)Feature.AmountToAccountCategoryMean] = categoryCount > 0 ? amount / MathF.Max(categorySum / categoryCount, 0.01f) : missing;
        f[(int)Feature.NewChannelForAccount] = newChannel;
        var today = TimeKey.Day(t);
        f[(int)Feature.NewDeviceForAccount] = tx.DeviceHash == 0 || Devices[0] == 0 ? missing
            : Contains(Devices, tx.DeviceHash) || (PendingDevice == tx.DeviceHash && PendingDeviceDay != today) ? 0f : 1f;
        f[(int)Feature.NewCountryForAccount] = tx.CountryHash == 0 || Countries[0] == 0 ? missing
            : Contains(Countries, tx.CountryHash) || (PendingCountry == tx.CountryHash && PendingCountryDay != today) ? 0f : 1f;

        if (tx.HasLocation && HasLocation)
        {
            var distance = (float)Geo.DistanceKm(LastLat, LastLon, tx.Latitude, tx.Longitude);
            // A floor of one minute keeps the speed finite for same-second pairs.
            var hours = MathF.Max(Math.Abs(t - LastLocationSeconds), 60) / 3600f;
            f[(int)Feature.DistanceFromPreviousKm] = distance;
            f[(int)Feature.SpeedFromPreviousKmh] = distance / hours;
            f[(int)Feature.DistanceFromHomeKm] = HomeWeight > 0
                ? (float)Geo.DistanceKm(HomeLat, HomeLon, tx.Latitude, tx.Longitude)
                : missing;
        }
        else
        {
            f[(int)Feature.DistanceFromPreviousKm] = missing;
            f[(int)Feature.SpeedFromPreviousKmh] = missing;
            f[(int)Feature.DistanceFromHomeKm] = missing;
        }
    }

    private static void ExtractWithoutHistory(in TransactionView tx, Span<float> f)
    {
        var missing = FeatureVector.Missing;
        for (var i = (int)Feature.AccountSecondsSincePrevious; i <= (int)Feature.DistanceFromHomeKm; i++)
        {
            f[i] = missing;
        }

        f[(int)Feature.AccountCount1h] = 0;
        f[(int)Feature.AccountCount1d] = 0;
        f[(int)Feature.AccountCount7d] = 0;
        f[(int)Feature.AccountCount30d] = 0;
        f[(int)Feature.AccountAmountSum1h] = 0;
        f[(int)Feature.AccountSmallCount1h] = 0;
        f[(int)Feature.AccountBurst1dVs30d] = 0;
        f[(int)Feature.AccountHistoryCount] = 0;
        f[(int)Feature.AccountAgeDays] = 0;
        f[(int)Feature.AccountKnownFraud30d] = 0;
        f[(int)Feature.NewCategoryForAccount] = missing;
        f[(int)Feature.AmountToAccountCategoryMean] = missing;
        f[(int)Feature.NewChannelForAccount] = missing;
    }

    internal void Add(in TransactionView tx)
    {
        var t = tx.Seconds;
        var amount = (float)tx.Amount;
        var logAmount = MathF.Log(MathF.Max(amount, 0.01f));
        var angle = tx.HourOfDay * (MathF.PI / 12f);

        if (RecentCount == 0 && TotalCount == 0)
        {
            LastSeconds = t;
            FirstSeconds = t;
        }

        float w1, w7, w30;
        if (t >= LastSeconds)
        {
            var d1 = Decay.Factor(LastSeconds, t, Decay.Day);
            var d7 = Decay.Factor(LastSeconds, t, Decay.Week);
            var d30 = Decay.Factor(LastSeconds, t, Decay.Month);
            Count1d *= d1; Sum1d *= d1;
            Count7d *= d7; Sum7d *= d7; Max7d *= d7;
            Count30d *= d30; Sum30d *= d30; Max30d *= d30;
            LogSum30d *= d30; LogSquares30d *= d30;
            HourX *= d30; HourY *= d30;
            HomeWeight *= d30;
            KnownFraud30d *= d30;
            LastSeconds = t;
            w1 = w7 = w30 = 1f;
        }
        else
        {
            // A late delivery: add it with the weight it would have had, leave the anchor alone.
            w1 = Decay.Weight(t, LastSeconds, Decay.Day);
            w7 = Decay.Weight(t, LastSeconds, Decay.Week);
            w30 = Decay.Weight(t, LastSeconds, Decay.Month);
        }

        Count1d += w1; Sum1d += w1 * amount;
        Count7d += w7; Sum7d += w7 * amount; Max7d = MathF.Max(Max7d, w7 * amount);
        Count30d += w30; Sum30d += w30 * amount; Max30d = MathF.Max(Max30d, w30 * amount);
        LogSum30d += w30 * logAmount;
        LogSquares30d += w30 * logAmount * logAmount;
        HourX += w30 * MathF.Cos(angle);
        HourY += w30 * MathF.Sin(angle);
        if (t < FirstSeconds)
        {
            FirstSeconds = t;
        }

        if (TotalCount < int.MaxValue)
        {
            TotalCount++;
        }

        RecentTime[RecentHead] = t;
        RecentAmount[RecentHead] = amount;
        RecentMerchant[RecentHead] = tx.MerchantHash;
        RecentTransaction[RecentHead] = tx.TransactionHash;
        RecentCategory[RecentHead] = tx.CategoryHash;
        var shift = 4 * RecentHead;
        RecentChannels = (RecentChannels & ~(0xFUL << shift)) | ((ulong)(tx.Channel is >= 0 and < NoChannel ? tx.Channel : NoChannel) << shift);
        RecentFraud &= (ushort)~(1 << RecentHead);
        RecentHead = (byte)((RecentHead + 1) % RecentCapacity);
        if (RecentCount < RecentCapacity)
        {
            RecentCount++;
        }

        var day = TimeKey.Day(t);
        Admit(ref Devices, ref DeviceNext, ref PendingDevice, ref PendingDeviceDay, tx.DeviceHash, day);
        Admit(ref Countries, ref CountryNext, ref PendingCountry, ref PendingCountryDay, tx.CountryHash, day);

        if (tx.HasLocation)
        {
            var lat = (float)tx.Latitude;
            var lon = (float)tx.Longitude;
            var total = HomeWeight + w30;
            HomeLat = (HomeLat * HomeWeight + lat * w30) / total;
            HomeLon = (HomeLon * HomeWeight + lon * w30) / total;
            HomeWeight = total;
            if (!HasLocation || t >= LastLocationSeconds)
            {
                LastLat = lat;
                LastLon = lon;
                LastLocationSeconds = t;
                HasLocation = true;
            }
        }
    }

    /// <summary>
    /// A transaction an analyst found legitimate (a false positive) vouches for its device and
    /// country: they are known from now on, without waiting to be seen on another day. True when
    /// that changed anything.
    /// </summary>
    public bool Vouch(int deviceHash, int countryHash)
    {
        var changed = Know(ref Devices, ref DeviceNext, ref PendingDevice, deviceHash);
        return Know(ref Countries, ref CountryNext, ref PendingCountry, countryHash) || changed;
    }

    /// <summary>Credits a fraud that has become known, at the time the fraudulent transaction happened.</summary>
    public void AddKnownFraud(int transactionSeconds, int transactionHash)
    {
        for (var i = 0; i < RecentCount; i++)
        {
            if (RecentTransaction[i] == transactionHash && RecentTime[i] == transactionSeconds)
            {
                RecentFraud |= (ushort)(1 << i);
            }
        }

        KnownFraud30d += Decay.Weight(transactionSeconds, LastSeconds, Decay.Month);
        if (!HasKnownFraud || transactionSeconds > LastKnownFraudSeconds)
        {
            LastKnownFraudSeconds = transactionSeconds;
            HasKnownFraud = true;
        }
    }

    private int ChannelAt(int i) => (int)((RecentChannels >> (4 * i)) & 0xF);

    private float ZScore(float amount, float c30, float d30)
    {
        if (c30 < 2f)
        {
            return FeatureVector.Missing;
        }

        var mean = LogSum30d * d30 / c30;
        var variance = MathF.Max(LogSquares30d * d30 / c30 - mean * mean, 0.01f);
        var z = (MathF.Log(MathF.Max(amount, 0.01f)) - mean) / MathF.Sqrt(variance);
        return Math.Clamp(z, -50f, 50f);
    }

    /// <summary>1 − cos of the angle to the account's mean hour, scaled by how concentrated its hours are.</summary>
    private float HourDeviation(float hour, float c30, float d30)
    {
        if (c30 < 1e-3f)
        {
            return FeatureVector.Missing;
        }

        var x = HourX * d30 / c30;
        var y = HourY * d30 / c30;
        var concentration = MathF.Sqrt(x * x + y * y);
        if (concentration < 1e-4f)
        {
            return 0f;
        }

        var angle = hour * (MathF.PI / 12f);
        var cos = (MathF.Cos(angle) * x + MathF.Sin(angle) * y) / concentration;
        return (1f - cos) * concentration;
    }

    /// <summary>
    /// Makes <paramref name="value"/> known: at once when nothing is known yet (the account's first
    /// device or country is its own), otherwise when it is seen again on another day.
    /// </summary>
    private static void Admit(ref KnownIds set, ref byte next, ref int pending, ref int pendingDay, int value, int day)
    {
        if (value == 0 || Contains(set, value))
        {
            return;
        }

        if (set[0] != 0 && (pending != value || pendingDay == day))
        {
            if (pending != value)
            {
                pending = value;
                pendingDay = day;
            }

            return;
        }

        set[next] = value;
        next = (byte)((next + 1) % KnownCapacity);
        if (pending == value)
        {
            pending = 0;
        }
    }

    private static bool Know(ref KnownIds set, ref byte next, ref int pending, int value)
    {
        if (value == 0 || Contains(set, value))
        {
            return false;
        }

        set[next] = value;
        next = (byte)((next + 1) % KnownCapacity);
        if (pending == value)
        {
            pending = 0;
        }

        return true;
    }

    private static bool Contains(in KnownIds set, int value)
    {
        for (var i = 0; i < KnownCapacity; i++)
        {
            if (set[i] == value)
            {
                return true;
            }
        }

        return false;
    }

    private static float Median(ReadOnlySpan<float> sorted)
    {
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2f;
    }

    /// <summary>Insertion sort: at most 16 values, cheaper than anything general.</summary>
    private static void Sort(Span<float> values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            var v = values[i];
            var j = i - 1;
            while (j >= 0 && values[j] > v)
            {
                values[j + 1] = values[j];
                j--;
            }

            values[j + 1] = v;
        }
    }
}
