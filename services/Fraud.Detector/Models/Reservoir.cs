using Fraud.Core.Features;
using Fraud.Core.Model;

namespace Fraud.Detector.Models;

/// <summary>
/// A uniform sample of fixed size from a stream of feature rows (Vitter's algorithm R), stored in
/// one array: memory is bounded however long the interval.
/// </summary>
internal sealed class Reservoir(int capacity, int width, int seed)
{
    private readonly float[] _rows = new float[capacity * width];
    private readonly Random _random = new(seed);
    private int _count;

    public long Seen { get; private set; }

    public void Offer(ReadOnlySpan<float> row)
    {
        Seen++;
        var slot = _count < capacity ? _count++ : _random.NextInt64(Seen) is var j && j < capacity ? (int)j : -1;
        if (slot >= 0)
        {
            row[..width].CopyTo(_rows.AsSpan(slot * width, width));
        }
    }

    public TrainingSet ToTrainingSet()
    {
        var set = new TrainingSet();
        for (var i = 0; i < _count; i++)
        {
            set.Add(_rows.AsSpan(i * width, width), isFraud: false, seconds: 0);
        }

        return set;
    }
}
