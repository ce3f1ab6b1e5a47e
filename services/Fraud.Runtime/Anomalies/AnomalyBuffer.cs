using System.Diagnostics.CodeAnalysis;
using Fraud.Contracts;

namespace Fraud.Runtime.Anomalies;

/// <summary>
/// The most recent anomalies, bounded by count (<see cref="AnomalyBufferOptions.MaxSize"/>) and age
/// (<see cref="AnomalyBufferOptions.Ttl"/>). Thread-safe; insert, lookup and eviction are O(1).
/// </summary>
/// <remarks>
/// Entries live in one array of structs linked into an intrusive doubly linked list in insertion
/// order, and a dictionary maps a transaction id to its slot. Insertion order is also age order, so
/// expired entries are always at the old end and are dropped there at the start of every call: no
/// timer. Age is measured on <see cref="TimeProvider.GetTimestamp"/>, which is monotonic, so a
/// wall-clock step neither drops nor revives entries; a fake clock in tests must advance the
/// timestamp too.
/// </remarks>
public sealed class AnomalyBuffer
{
    private const int None = -1;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _slotById = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _maxSize;
    private readonly long _ttl;
    private Entry[] _entries;
    private int _used;
    private int _free = None;
    private int _oldest = None;
    private int _newest = None;
    private long _evictions;

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

    /// <summary>
    /// Adds an anomaly as the newest. One with the same transaction id is replaced, and takes the new
    /// position and insertion time, unless <paramref name="replace"/> is false: then the one held is
    /// kept and false returned. When the buffer is full, the oldest is evicted.
    /// </summary>
    public bool Add(Anomaly anomaly, bool replace = true)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        // `required` does not stop a deserializer from leaving the id null, and it is the lookup key.
        if (anomaly.TransactionId is null)
        {
            throw new ArgumentException("An anomaly needs a transaction id.", nameof(anomaly));
        }

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            DropExpired(now);
            if (_slotById.TryGetValue(anomaly.TransactionId, out var slot))
            {
                if (!replace)
                {
                    return false;
                }

                Unlink(slot);
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
            return true;
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
        entry = new Entry { Newer = _free, Older = None };
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
    }

    /// <summary>Takes the entry out of the list but keeps its slot and id mapping, for a replacement to reuse.</summary>
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
    }

    /// <summary>24 bytes plus the anomaly: links are slot numbers, not object references.</summary>
    private struct Entry
    {
        public Anomaly? Anomaly;
        public long AddedAt;
        public int Older;
        public int Newer;
    }
}
