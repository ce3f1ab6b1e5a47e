namespace Fraud.Core.Features;

/// <summary>
/// Profiles by id under a hard cap and an idle timeout, both in stream time. When the cap is
/// passed, the least recently active tenth is evicted in one sweep, so eviction costs O(1)
/// amortised per insert; idle profiles are swept once per day of stream time.
/// Not thread-safe.
/// </summary>
public sealed class ProfileStore<TProfile>(int maxCount, TimeSpan idleTimeout)
    where TProfile : class, IProfile, new()
{
    private readonly Dictionary<string, TProfile> _profiles = new(StringComparer.Ordinal);
    private readonly int _idleSeconds = (int)Math.Min(int.MaxValue, idleTimeout.TotalSeconds);
    private int _lastIdleSweep = int.MinValue;

    public int Count => _profiles.Count;

    public int MaxCount => maxCount;

    /// <summary>Profiles removed by the cap or the idle timeout since start.</summary>
    public long Evicted { get; private set; }

    public bool TryGet(string id, out TProfile profile) => _profiles.TryGetValue(id, out profile!);

    public TProfile GetOrAdd(string id, int nowSeconds)
    {
        if (_profiles.TryGetValue(id, out var profile))
        {
            return profile;
        }

        SweepIfDue(nowSeconds);
        profile = new TProfile();
        _profiles.Add(id, profile);
        return profile;
    }

    /// <summary>Replaces or adds a profile (e.g. restored from a state store).</summary>
    public void Set(string id, TProfile profile) => _profiles[id] = profile;

    public bool Remove(string id) => _profiles.Remove(id);

    private void SweepIfDue(int nowSeconds)
    {
        if (_lastIdleSweep == int.MinValue)
        {
            _lastIdleSweep = nowSeconds;
        }
        else if (nowSeconds - _lastIdleSweep >= TimeKey.SecondsPerDay)
        {
            _lastIdleSweep = nowSeconds;
            RemoveOlderThan((int)Math.Max(int.MinValue, (long)nowSeconds - _idleSeconds));
        }

        if (_profiles.Count >= maxCount)
        {
            var cutoff = CutoffForOldest(Math.Max(1, maxCount / 10));
            if (RemoveOlderThan(cutoff) == 0)
            {
                // Everything is as old as the cutoff: take the cutoff itself too.
                RemoveOlderThan(cutoff + 1);
            }
        }
    }

    /// <summary>The LastSeen value below or at which <paramref name="count"/> profiles lie.</summary>
    private int CutoffForOldest(int count)
    {
        var seen = new int[_profiles.Count];
        var i = 0;
        foreach (var profile in _profiles.Values)
        {
            seen[i++] = profile.LastSeen;
        }

        Array.Sort(seen);
        // Strictly-older-than the value just past the cut, so at least `count` go.
        return seen[Math.Min(count, seen.Length - 1)];
    }

    private int RemoveOlderThan(int cutoffSeconds)
    {
        var removed = 0;
        foreach (var (id, profile) in _profiles)
        {
            if (profile.LastSeen < cutoffSeconds)
            {
                _profiles.Remove(id);
                removed++;
            }
        }

        Evicted += removed;
        return removed;
    }
}
