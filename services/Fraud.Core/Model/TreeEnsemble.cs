using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fraud.Core.Model;

/// <summary>
/// A gradient-boosted tree ensemble compiled to flat arrays. ML.NET trains it; scoring never goes
/// through ML.NET's <c>PredictionEngine</c> (not thread-safe, and microseconds of overhead): this
/// is immutable, thread-safe and allocation-free. <see cref="Evaluate"/> uses QuickScorer (Lucchese
/// et al., SIGIR 2015) when every tree has at most 64 leaves and walks the nodes otherwise;
/// <see cref="Explain"/> always walks the decision paths.
/// Children ≥ 0 are node indices; a negative child is <c>~leafIndex</c>.
/// </summary>
public sealed class TreeEnsemble
{
    private readonly Node[] _nodes;
    private readonly int[] _roots;
    private readonly double[] _leaves;
    private readonly double[] _nodeValues;
    private readonly QuickScorer? _quick;

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
        _quick = QuickScorer.Build(_nodes, _roots, _leaves);
    }

    public TreeEnsembleData Data { get; }

    public double Bias { get; }

    /// <summary>Mean output over the training rows: the baseline that contributions explain away from.</summary>
    public double ExpectedValue { get; }

    public int TreeCount => _roots.Length;

    public int MaxFeature { get; }

    /// <summary>Whether <see cref="Evaluate"/> runs QuickScorer (every tree has at most 64 leaves) or walks the trees.</summary>
    internal bool UsesQuickScorer => _quick is not null;

    /// <summary>Raw ensemble output: bias plus the leaf value of every tree, added in tree order.</summary>
    public double Evaluate(ReadOnlySpan<float> x)
    {
        var quick = _quick;
        if (quick is null || x.Length <= MaxFeature)
        {
            // A tree of more than 64 leaves, or a row too short for some split (which the walk
            // reports only if a path reaches that split).
            return Walk(x);
        }

        var trees = _roots.Length;
        if (trees <= QuickScorer.MaxStackTrees)
        {
            return quick.Evaluate(x, stackalloc ulong[trees], Bias);
        }

        var rented = ArrayPool<ulong>.Shared.Rent(trees);
        try
        {
            return quick.Evaluate(x, rented.AsSpan(0, trees), Bias);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(rented);
        }
    }

    /// <summary>The reference evaluation: walks every tree from its root to a leaf.</summary>
    internal double Walk(ReadOnlySpan<float> x)
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

    /// <summary>
    /// QuickScorer. The leaves of each tree are numbered left to right, and each split carries a mask
    /// over its tree's leaves with zeros on the leaves of its left (<c>x ≤ threshold</c>) subtree. The
    /// splits of all trees are grouped by feature and sorted by threshold, so the splits a row sends
    /// right (the "false" nodes) are a prefix of its feature's run; ANDing their masks into per-tree
    /// bitvectors (all ones at first) leaves each tree's exit leaf as the lowest set bit.
    /// </summary>
    private sealed class QuickScorer
    {
        /// <summary>Up to this many trees the bitvectors live on the stack (32 KiB); beyond, in a pooled array.</summary>
        public const int MaxStackTrees = 4096;

        private const int MaxLeaves = 64;

        // Runs of splits on one feature: splits [_runStart[k], _runStart[k + 1]) test feature _runFeature[k].
        private readonly int[] _runFeature;
        private readonly int[] _runStart;

        // The splits (struct of arrays), by feature, then by ascending threshold.
        private readonly float[] _thresholds;
        private readonly int[] _trees;
        private readonly ulong[] _masks;

        // Leaf values of tree t, left to right, from _leaves[_leafStart[t]].
        private readonly int[] _leafStart;
        private readonly double[] _leaves;

        private QuickScorer(int[] runFeature, int[] runStart, float[] thresholds, int[] trees, ulong[] masks,
            int[] leafStart, double[] leaves)
        {
            _runFeature = runFeature;
            _runStart = runStart;
            _thresholds = thresholds;
            _trees = trees;
            _masks = masks;
            _leafStart = leafStart;
            _leaves = leaves;
        }

        /// <summary>Null when a tree has more than 64 leaves or a split a negative feature: the walk handles those.</summary>
        public static QuickScorer? Build(Node[] nodes, int[] roots, double[] leaves)
        {
            var splits = new List<Split>(nodes.Length);
            var ordered = new List<double>(leaves.Length);
            var leafStart = new int[roots.Length];
            for (var t = 0; t < roots.Length; t++)
            {
                leafStart[t] = ordered.Count;
                if (!Number(roots[t], t, leafStart[t], 0, nodes, leaves, ordered, splits))
                {
                    return null;
                }
            }

            if (splits.Exists(static s => s.Feature < 0))
            {
                return null;
            }

            // float.CompareTo puts NaN first and ties −0 with +0, both consistent with the right-going
            // splits (!(x ≤ threshold)) being a prefix of each run.
            splits.Sort(static (a, b) => a.Feature != b.Feature ? a.Feature.CompareTo(b.Feature) : a.Threshold.CompareTo(b.Threshold));

            var runFeature = new List<int>();
            var runStart = new List<int>();
            var thresholds = new float[splits.Count];
            var trees = new int[splits.Count];
            var masks = new ulong[splits.Count];
            for (var i = 0; i < splits.Count; i++)
            {
                var split = splits[i];
                if (i == 0 || split.Feature != splits[i - 1].Feature)
                {
                    runFeature.Add(split.Feature);
                    runStart.Add(i);
                }

                thresholds[i] = split.Threshold;
                trees[i] = split.Tree;
                masks[i] = split.Mask;
            }

            runStart.Add(splits.Count);
            return new QuickScorer([.. runFeature], [.. runStart], thresholds, trees, masks, leafStart, [.. ordered]);
        }

        /// <summary>
        /// Appends the leaves under <paramref name="n"/> in order and records the mask of every split;
        /// false when the tree has more than 64 leaves. A path of 64 splits implies more than 64 leaves,
        /// which also bounds the recursion on malformed (cyclic) data.
        /// </summary>
        private static bool Number(int n, int tree, int treeStart, int depth, Node[] nodes, double[] leaves,
            List<double> ordered, List<Split> splits)
        {
            if (n < 0)
            {
                ordered.Add(leaves[~n]);
                return ordered.Count - treeStart <= MaxLeaves;
            }

            if (depth >= MaxLeaves)
            {
                return false;
            }

            var node = nodes[n];
            var first = ordered.Count - treeStart;
            if (!Number(node.Left, tree, treeStart, depth + 1, nodes, leaves, ordered, splits))
            {
                return false;
            }

            // The left subtree holds leaves [first, first + count) of this tree, count ≤ 63 (the right subtree has one at least).
            var count = ordered.Count - treeStart - first;
            if (!Number(node.Right, tree, treeStart, depth + 1, nodes, leaves, ordered, splits))
            {
                return false;
            }

            splits.Add(new Split(node.Feature, node.Threshold, tree, ~(((1UL << count) - 1) << first)));
            return true;
        }

        public double Evaluate(ReadOnlySpan<float> x, Span<ulong> vectors, double bias)
        {
            vectors.Fill(ulong.MaxValue);
            ref var v = ref MemoryMarshal.GetReference(vectors);
            ref var row = ref MemoryMarshal.GetReference(x);
            ref var thresholds = ref MemoryMarshal.GetArrayDataReference(_thresholds);
            ref var trees = ref MemoryMarshal.GetArrayDataReference(_trees);
            ref var masks = ref MemoryMarshal.GetArrayDataReference(_masks);
            var runFeature = _runFeature;
            var runStart = _runStart;

            // Unchecked access is safe by construction: run features are in [0, MaxFeature] and the
            // caller checked x.Length > MaxFeature; tree indices are below the tree count, which is
            // vectors.Length; the split arrays are as long as the last run's end.
            for (var k = 0; k < runFeature.Length; k++)
            {
                var xf = Unsafe.Add(ref row, runFeature[k]);
                var i = runStart[k];
                var end = runStart[k + 1];

                // Exactly the walk's right-hand branch: !(x ≤ threshold).
                while (i < end && !(xf <= Unsafe.Add(ref thresholds, i)))
                {
                    Unsafe.Add(ref v, Unsafe.Add(ref trees, i)) &= Unsafe.Add(ref masks, i);
                    i++;
                }
            }

            ref var leaves = ref MemoryMarshal.GetArrayDataReference(_leaves);
            var leafStart = _leafStart;
            var sum = bias;
            for (var t = 0; t < leafStart.Length; t++)
            {
                // The rightmost leaf's bit is never cleared, so every vector has a set bit.
                sum += Unsafe.Add(ref leaves, leafStart[t] + BitOperations.TrailingZeroCount(Unsafe.Add(ref v, t)));
            }

            return sum;
        }

        private readonly record struct Split(int Feature, float Threshold, int Tree, ulong Mask);
    }
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
