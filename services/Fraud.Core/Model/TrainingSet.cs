using Fraud.Core.Features;

namespace Fraud.Core.Model;

/// <summary>
/// Feature rows for training, stored row-major in one growing array (no array per row), with their
/// labels and times (for the time-ordered validation split).
/// </summary>
public sealed class TrainingSet
{
    private float[] _values = new float[FeatureVector.Length * 1024];
    private bool[] _labels = new bool[1024];
    private int[] _seconds = new int[1024];

    public int Count { get; private set; }

    public int Frauds { get; private set; }

    public int Width => FeatureVector.Length;

    public void Add(ReadOnlySpan<float> features, bool isFraud, int seconds)
    {
        if (Count == _labels.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
            Array.Resize(ref _labels, _labels.Length * 2);
            Array.Resize(ref _seconds, _seconds.Length * 2);
        }

        features[..Width].CopyTo(_values.AsSpan(Count * Width));
        _labels[Count] = isFraud;
        _seconds[Count] = seconds;
        Count++;
        if (isFraud)
        {
            Frauds++;
        }
    }

    public ReadOnlySpan<float> Row(int index) => _values.AsSpan(index * Width, Width);

    public ReadOnlySpan<float> Rows(int start, int count) => _values.AsSpan(start * Width, count * Width);

    public bool Label(int index) => _labels[index];

    public int Seconds(int index) => _seconds[index];

    public ReadOnlySpan<bool> Labels => _labels.AsSpan(0, Count);
}
