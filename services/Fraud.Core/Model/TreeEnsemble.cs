using System.Runtime.InteropServices;

namespace Fraud.Core.Model;

/// <summary>
/// A gradient-boosted tree ensemble compiled to flat arrays. ML.NET trains it; scoring never goes
/// through ML.NET's <c>PredictionEngine</c> (not thread-safe, and microseconds of overhead): this
/// walks the nodes directly, is immutable, thread-safe and allocation-free.
/// Children ≥ 0 are node indices; a negative child is <c>~leafIndex</c>.
/// </summary>
public sealed class TreeEnsemble
{
    private readonly Node[] _nodes;
    private readonly int[] _roots;
    private readonly double[] _leaves;
    private readonly double[] _nodeValues;

    public TreeEnsemble(TreeEnsembleData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var count = data.Features.Length;
        if (data.Thresholds.Length != count || data.Left.Length != count || data.Right.Length != count)
        {
            throw new InvalidDataException("Tree ensemble arrays differ in length.");
        }

        _nodes = new Node[count];
        for (var i = 0; i < count; i++)
        {
            _nodes[i] = new Node(data.Features[i], data.Thresholds[i], data.Left[i], data.Right[i]);
            Check(data.Left[i], count, data.Leaves.Length);
            Check(data.Right[i], count, data.Leaves.Length);
        }

        foreach (var root in data.Roots)
        {
            Check(root, count, data.Leaves.Length);
        }

        _roots = data.Roots;
        _leaves = data.Leaves;
        _nodeValues = data.NodeValues.Length == count ? data.NodeValues : new double[count];
        Bias = data.Bias;
        Data = data;
        ExpectedValue = Bias;
        foreach (var root in _roots)
        {
            ExpectedValue += root < 0 ? _leaves[~root] : _nodeValues[root];
        }

        MaxFeature = count == 0 ? -1 : data.Features.Max();
    }

    public TreeEnsembleData Data { get; }

    public double Bias { get; }

    /// <summary>Mean output over the training rows: the baseline that contributions explain away from.</summary>
    public double ExpectedValue { get; }

    public int TreeCount => _roots.Length;

    public int MaxFeature { get; }

    /// <summary>Raw ensemble output (sum of leaf values plus bias).</summary>
    public double Evaluate(ReadOnlySpan<float> x)
    {
        var nodes = _nodes.AsSpan();
        var leaves = _leaves;
        var sum = Bias;
        foreach (var root in _roots)
        {
            var n = root;
            while (n >= 0)
            {
                ref readonly var node = ref nodes[n];
                n = x[node.Feature] <= node.Threshold ? node.Left : node.Right;
            }

            sum += leaves[~n];
        }

        return sum;
    }

    /// <summary>
    /// Raw output and per-feature contributions along each decision path (Saabas): each split
    /// credits its feature with the change in expected output it causes. The contributions sum to
    /// <c>Evaluate(x) − ExpectedValue</c> exactly.
    /// </summary>
    public double Explain(ReadOnlySpan<float> x, Span<double> contributions)
    {
        contributions.Clear();
        var sum = Bias;
        foreach (var root in _roots)
        {
            var n = root;
            var value = n < 0 ? _leaves[~n] : _nodeValues[n];
            while (n >= 0)
            {
                var node = _nodes[n];
                var child = x[node.Feature] <= node.Threshold ? node.Left : node.Right;
                var childValue = child < 0 ? _leaves[~child] : _nodeValues[child];
                contributions[node.Feature] += childValue - value;
                value = childValue;
                n = child;
            }

            sum += value;
        }

        return sum;
    }

    /// <summary>Counts how many rows reach each node and leaf; used to weight node values.</summary>
    internal (long[] NodeCover, long[] LeafCover) Covers(ReadOnlySpan<float> rows, int width)
    {
        var nodeCover = new long[_nodes.Length];
        var leafCover = new long[_leaves.Length];
        for (var offset = 0; offset + width <= rows.Length; offset += width)
        {
            var x = rows.Slice(offset, width);
            foreach (var root in _roots)
            {
                var n = root;
                while (n >= 0)
                {
                    nodeCover[n]++;
                    var node = _nodes[n];
                    n = x[node.Feature] <= node.Threshold ? node.Left : node.Right;
                }

                leafCover[~n]++;
            }
        }

        return (nodeCover, leafCover);
    }

    private static void Check(int child, int nodes, int leaves)
    {
        if (child >= nodes || (child < 0 && ~child >= leaves))
        {
            throw new InvalidDataException($"Tree ensemble child index {child} is out of range.");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Node(int Feature, float Threshold, int Left, int Right);
}

/// <summary>The serialised form of a <see cref="TreeEnsemble"/> (all trees, flattened).</summary>
public sealed record TreeEnsembleData(
    int[] Features,
    float[] Thresholds,
    int[] Left,
    int[] Right,
    double[] Leaves,
    double[] NodeValues,
    int[] Roots,
    double Bias);
