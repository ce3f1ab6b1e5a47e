using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Fraud.Contracts;

namespace Fraud.Runtime.Anomalies;

/// <summary>
/// The most recent anomalies, bounded by count (<see cref="AnomalyBufferOptions.MaxSize"/>) and age
/// (<see cref="AnomalyBufferOptions.Ttl"/>). Thread-safe; insert, lookup, update and eviction are O(1).
/// </summary>
/// <remarks>
/// Entries live in one array of structs linked into two intrusive doubly linked lists: all entries in
/// insertion order, and each account's entries in insertion order (the account index, so an account
/// filter walks only that account). A dictionary maps a transaction id to its slot. Insertion order
/// is also age order, so expired entries are always at the old end and are dropped there at the start
/// of every call: no timer. Age is measured on <see cref="TimeProvider.GetTimestamp"/>, which is
/// monotonic, so a wall-clock step neither drops nor revives entries; a fake clock in tests must
/// advance the timestamp too.
/// </remarks>
public sealed class AnomalyBuffer
{
    private const int None = -1;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _slotById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _newestSlotByAccount = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _maxSize;
    private readonly long _ttl;
    private Entry[] _entries;
    private int _used;
    private int _free = None;
    private int _oldest = None;
    private int _newest = None;
    private long _inserted;
    private long _replaced;
    private long _evictions;
    private long _expirations;

    public AnomalyBuffer(AnomalyBufferOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _time = time;
        _maxSize = options.MaxSize;
        _ttl = ToTimestampTicks(options.Ttl, time.TimestampFrequency);
        // Grown on demand up to MaxSize, so a generous cap costs nothing until it is used.
        _entries = new Entry[Math.Min(_maxSize, 64)];
    }

    /// <summary>Anomalies held now (expired ones are dropped first).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                DropExpired();
                return _slotById.Count;
            }
        }
    }

    /// <summary>Calls to <see cref="Add"/>, replacements included.</summary>
    public long Inserted
    {
        get
        {
            lock (_gate)
            {
                return _inserted;
            }
        }
    }

    /// <summary>Calls to <see cref="Add"/> that replaced an anomaly with the same id.</summary>
    public long Replaced
    {
        get
        {
            lock (_gate)
            {
                return _replaced;
            }
        }
    }

    /// <summary>Anomalies pushed out by the size cap.</summary>
    public long Evictions
    {
        get
        {
            lock (_gate)
            {
                return _evictions;
            }
        }
    }

    /// <summary>Anomalies dropped because they outlived the TTL.</summary>
    public long Expirations
    {
        get
        {
            lock (_gate)
            {
                DropExpired();
                return _expirations;
            }
        }
    }

    /// <summary>
    /// Adds an anomaly as the newest. One with the same transaction id is replaced, and takes the new
    /// position and insertion time; otherwise, when the buffer is full, the oldest is evicted.
    /// </summary>
    public void Add(Anomaly anomaly)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        if (anomaly.TransactionId is null || anomaly.AccountId is null)
        {
            throw new ArgumentException("An anomaly needs a transaction id and an account id.", nameof(anomaly));
        }

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            DropExpired(now);
            if (_slotById.TryGetValue(anomaly.TransactionId, out var slot))
            {
                Unlink(slot);
                _replaced++;
            }
            else
            {
                if (_slotById.Count == _maxSize)
                {
                    Remove(_oldest);
                    _evictions++;
                }

                slot = AllocateSlot();
                _slotById.Add(anomaly.TransactionId, slot);
            }

            ref var entry = ref _entries[slot];
            entry.Anomaly = anomaly;
            entry.AddedAt = now;
            LinkAsNewest(slot);
            _inserted++;
        }
    }

    /// <summary>The anomaly with this transaction id, unless it is absent, evicted or expired.</summary>
    public bool TryGet(string transactionId, [MaybeNullWhen(false)] out Anomaly anomaly)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        lock (_gate)
        {
            DropExpired();
            if (_slotById.TryGetValue(transactionId, out var slot))
            {
                anomaly = _entries[slot].Anomaly!;
                return true;
            }
        }

        anomaly = null;
        return false;
    }

    /// <summary>
    /// Replaces an anomaly with <paramref name="update"/>'s result, keeping its position and insertion
    /// time (an analyst's review does not make it newer). False when the id is not held.
    /// </summary>
    /// <remarks>
    /// <paramref name="update"/> runs outside the lock, so it may be slow or call back into the buffer;
    /// if the entry changes meanwhile, it runs again on the new value. It may not change the
    /// transaction or account id (the indexes are keyed by them).
    /// </remarks>
    /// <exception cref="InvalidOperationException"><paramref name="update"/> returned null or changed an id.</exception>
    public bool TryUpdate(string transactionId, Func<Anomaly, Anomaly> update)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        ArgumentNullException.ThrowIfNull(update);
        while (true)
        {
            if (!TryGet(transactionId, out var current))
            {
                return false;
            }

            var updated = update(current) ?? throw new InvalidOperationException("The update returned null.");
            if (!string.Equals(updated.TransactionId, current.TransactionId, StringComparison.Ordinal) ||
                !string.Equals(updated.AccountId, current.AccountId, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("An update may not change the anomaly's transaction id or account id.");
            }

            lock (_gate)
            {
                DropExpired();
                if (!_slotById.TryGetValue(transactionId, out var slot))
                {
                    return false;
                }

                ref var entry = ref _entries[slot];
                if (ReferenceEquals(entry.Anomaly, current))
                {
                    entry.Anomaly = updated;
                    return true;
                }
            }
        }
    }

    /// <summary>The anomalies matching every filter of <paramref name="query"/>, newest first.</summary>
    public IReadOnlyList<Anomaly> Query(AnomalyQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "AnomalyQuery.Limit must not be negative.");
        }

        var results = new List<Anomaly>(Math.Min(query.Limit, 256));
        if (query.Limit == 0)
        {
            return results;
        }

        lock (_gate)
        {
            DropExpired();
            var byAccount = query.AccountId is not null;
            var slot = _newest;
            if (byAccount && !_newestSlotByAccount.TryGetValue(query.AccountId!, out slot))
            {
                return results;
            }

            while (slot != None)
            {
                ref readonly var entry = ref _entries[slot];
                var anomaly = entry.Anomaly!;
                if ((query.MinSeverity is not { } min || anomaly.Severity >= min) &&
                    (query.Status is not { } status || anomaly.Status == status))
                {
                    results.Add(anomaly);
                    if (results.Count == query.Limit)
                    {
                        break;
                    }
                }

                slot = byAccount ? entry.AccountOlder : entry.Older;
            }
        }

        return results;
    }

    private static long ToTimestampTicks(TimeSpan ttl, long frequency)
    {
        // Rounded up so a tiny TTL never becomes zero (which would expire everything at once).
        var ticks = (((Int128)ttl.Ticks * frequency) + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        return ticks > long.MaxValue ? long.MaxValue : (long)ticks;
    }

    private void DropExpired() => DropExpired(_time.GetTimestamp());

    private void DropExpired(long now)
    {
        while (_oldest != None && now - _entries[_oldest].AddedAt >= _ttl)
        {
            Remove(_oldest);
            _expirations++;
        }
    }

    private int AllocateSlot()
    {
        if (_free != None)
        {
            var slot = _free;
            _free = _entries[slot].Newer;
            return slot;
        }

        if (_used == _entries.Length)
        {
            // Never past MaxSize: a slot is freed before one is taken when the buffer is full.
            Array.Resize(ref _entries, (int)Math.Min((long)_entries.Length * 2, _maxSize));
        }

        return _used++;
    }

    private void Remove(int slot)
    {
        Unlink(slot);
        ref var entry = ref _entries[slot];
        _slotById.Remove(entry.Anomaly!.TransactionId);
        // Free slots are chained through Newer; dropping the reference lets the anomaly be collected.
        entry = new Entry { Newer = _free, Older = None, AccountNewer = None, AccountOlder = None };
        _free = slot;
    }

    private void LinkAsNewest(int slot)
    {
        ref var entry = ref _entries[slot];
        entry.Older = _newest;
        entry.Newer = None;
        if (_newest != None)
        {
            _entries[_newest].Newer = slot;
        }
        else
        {
            _oldest = slot;
        }

        _newest = slot;

        ref var accountNewest = ref CollectionsMarshal.GetValueRefOrAddDefault(_newestSlotByAccount, entry.Anomaly!.AccountId, out var known);
        entry.AccountOlder = known ? accountNewest : None;
        entry.AccountNewer = None;
        if (known)
        {
            _entries[accountNewest].AccountNewer = slot;
        }

        accountNewest = slot;
    }

    /// <summary>Takes the entry out of both lists; its slot and id mapping stay.</summary>
    private void Unlink(int slot)
    {
        ref var entry = ref _entries[slot];
        if (entry.Older != None)
        {
            _entries[entry.Older].Newer = entry.Newer;
        }
        else
        {
            _oldest = entry.Newer;
        }

        if (entry.Newer != None)
        {
            _entries[entry.Newer].Older = entry.Older;
        }
        else
        {
            _newest = entry.Older;
        }

        if (entry.AccountOlder != None)
        {
            _entries[entry.AccountOlder].AccountNewer = entry.AccountNewer;
        }

        if (entry.AccountNewer != None)
        {
            _entries[entry.AccountNewer].AccountOlder = entry.AccountOlder;
        }
        else if (entry.AccountOlder != None)
        {
            _newestSlotByAccount[entry.Anomaly!.AccountId] = entry.AccountOlder;
        }
        else
        {
            _newestSlotByAccount.Remove(entry.Anomaly!.AccountId);
        }
    }

    /// <summary>32 bytes plus the anomaly: links are slot numbers, not object references.</summary>
    private struct Entry
    {
        public Anomaly? Anomaly;
        public long AddedAt;
        public int Older;
        public int Newer;
        public int AccountOlder;
        public int AccountNewer;
    }
}
