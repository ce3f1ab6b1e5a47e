using System.Collections;
using Fraud.Contracts;

namespace Fraud.Core.Import;

/// <summary>
/// Puts a nearly sorted stream in timestamp order: rows are held in a min-heap until the newest
/// timestamp seen is a whole <c>window</c> past them, so memory is bounded by the rows of one
/// window. Equal timestamps keep file order. A row older than the window behind the newest is not
/// an error: it is passed on at once and counted in <see cref="LateRows"/> (the profiles tolerate it).
/// </summary>
public sealed class TimeOrderedReader(IEnumerable<LabelledTransaction> source, TimeSpan window) : IEnumerable<LabelledTransaction>
{
    public long LateRows { get; private set; }

    public int MaxBuffered { get; private set; }

    public IEnumerator<LabelledTransaction> GetEnumerator()
    {
        var heap = new PriorityQueue<LabelledTransaction, (long Ticks, long Sequence)>();
        var newest = long.MinValue;
        var released = long.MinValue;
        long sequence = 0;
        foreach (var row in source)
        {
            var ticks = row.Transaction.Timestamp.UtcTicks;
            if (ticks < released)
            {
                // Behind what was already passed on: out of order beyond the window.
                LateRows++;
                yield return row;
                continue;
            }

            heap.Enqueue(row, (ticks, sequence++));
            MaxBuffered = Math.Max(MaxBuffered, heap.Count);
            newest = Math.Max(newest, ticks);
            var limit = newest - window.Ticks;
            while (heap.TryPeek(out var oldest, out var key) && key.Ticks <= limit)
            {
                heap.Dequeue();
                released = key.Ticks;
                yield return oldest;
            }
        }

        while (heap.TryDequeue(out var row, out _))
        {
            yield return row;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
