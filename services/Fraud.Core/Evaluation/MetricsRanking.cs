namespace Fraud.Core.Evaluation;

/// <summary>The positives and negatives sharing one distinct score: one threshold of a curve.</summary>
internal readonly record struct ThresholdGroup(double Score, long Positives, long Negatives);

/// <summary>
/// Scores sorted from highest to lowest with their labels, read back one threshold group at a time.
/// Sorting copies (the caller's spans are left alone) and costs O(n log n); walking is O(n).
/// </summary>
internal sealed class RankedScores
{
    private readonly double[] _negatedScores;
    private readonly bool[] _labels;
    private int _next;

    private RankedScores(double[] negatedScores, bool[] labels, long positives)
    {
        _negatedScores = negatedScores;
        _labels = labels;
        Positives = positives;
        Negatives = labels.Length - positives;
    }

    public long Positives { get; }

    public long Negatives { get; }

    public static RankedScores Descending(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        Validate(scores, labels);
        // Sorting the negated scores ascending gives the scores descending with the primitive
        // comparer; -0.0 and 0.0 compare equal, as numpy's np.diff sees them.
        var keys = new double[scores.Length];
        var items = labels.ToArray();
        long positives = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = -scores[i];
            positives += items[i] ? 1 : 0;
        }

        Array.Sort(keys, items);
        return new RankedScores(keys, items, positives);
    }

    /// <summary>Equal lengths and no NaN score (sklearn rejects NaN too; it has no place in a ranking).</summary>
    public static void Validate(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException($"{scores.Length} scores but {labels.Length} labels.", nameof(labels));
        }

        foreach (var score in scores)
        {
            if (double.IsNaN(score))
            {
                throw new ArgumentException("A score is NaN.", nameof(scores));
            }
        }
    }

    /// <summary>The next group of tied scores, highest score first.</summary>
    public bool TryNextGroup(out ThresholdGroup group)
    {
        var keys = _negatedScores;
        if (_next >= keys.Length)
        {
            group = default;
            return false;
        }

        var key = keys[_next];
        long positives = 0, negatives = 0;
        while (_next < keys.Length && keys[_next] == key)
        {
            if (_labels[_next])
            {
                positives++;
            }
            else
            {
                negatives++;
            }

            _next++;
        }

        group = new ThresholdGroup(-key, positives, negatives);
        return true;
    }
}
