using Microsoft.ML.Trainers.FastTree;

namespace Fraud.Core.Model;

/// <summary>Turns ML.NET's trees into a <see cref="TreeEnsemble"/> and weights its node values by cover.</summary>
internal static class TreeEnsembleCompiler
{
    public static TreeEnsemble Compile(RegressionTreeEnsemble source, ReadOnlySpan<float> trainingRows, int width)
    {
        var features = new List<int>();
        var thresholds = new List<float>();
        var left = new List<int>();
        var right = new List<int>();
        var leaves = new List<double>();
        var roots = new int[source.Trees.Count];

        for (var t = 0; t < source.Trees.Count; t++)
        {
            var tree = source.Trees[t];
            var weight = source.TreeWeights[t];
            var nodeOffset = features.Count;
            var leafOffset = leaves.Count;
            for (var n = 0; n < tree.NumberOfNodes; n++)
            {
                if (tree.CategoricalSplitFlags.Count > n && tree.CategoricalSplitFlags[n])
                {
                    throw new NotSupportedException("Categorical splits are disabled in training and not supported.");
                }

                features.Add(tree.NumericalSplitFeatureIndexes[n]);
                thresholds.Add(tree.NumericalSplitThresholds[n]);
                left.Add(Relocate(tree.LeftChild[n], nodeOffset, leafOffset));
                right.Add(Relocate(tree.RightChild[n], nodeOffset, leafOffset));
            }

            foreach (var value in tree.LeafValues)
            {
                leaves.Add(value * weight);
            }

            roots[t] = tree.NumberOfNodes == 0 ? ~leafOffset : nodeOffset;
        }

        var data = new TreeEnsembleData([.. features], [.. thresholds], [.. left], [.. right], [.. leaves], [], roots, source.Bias);
        var unweighted = new TreeEnsemble(data);
        var (nodeCover, leafCover) = unweighted.Covers(trainingRows, width);
        var nodeValues = new double[features.Count];
        var done = new bool[features.Count];
        foreach (var root in roots)
        {
            if (root >= 0)
            {
                NodeValue(root, data, nodeCover, leafCover, nodeValues, done);
            }
        }

        return new TreeEnsemble(data with { NodeValues = nodeValues });
    }

    private static int Relocate(int child, int nodeOffset, int leafOffset) =>
        child >= 0 ? child + nodeOffset : ~(~child + leafOffset);

    /// <summary>Cover-weighted mean of the leaves below a node: the expected output on reaching it.</summary>
    private static (double Value, long Cover) NodeValue(int node, TreeEnsembleData data, long[] nodeCover, long[] leafCover,
        double[] values, bool[] done)
    {
        if (node < 0)
        {
            return (data.Leaves[~node], leafCover[~node]);
        }

        if (!done[node])
        {
            var (lv, lc) = NodeValue(data.Left[node], data, nodeCover, leafCover, values, done);
            var (rv, rc) = NodeValue(data.Right[node], data, nodeCover, leafCover, values, done);
            values[node] = lc + rc > 0 ? (lv * lc + rv * rc) / (lc + rc) : (lv + rv) / 2;
            done[node] = true;
        }

        return (values[node], nodeCover[node]);
    }
}
