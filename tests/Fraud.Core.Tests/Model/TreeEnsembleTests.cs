using Fraud.Core.Features;
using Fraud.Core.Model;

namespace Fraud.Core.Tests.Model;

/// <summary>
/// <see cref="TreeEnsemble.Evaluate"/> (QuickScorer) against hand-computed values and against the
/// path walk. Leaf values are small binary fractions, so the hand-computed sums are exact.
/// </summary>
public class TreeEnsembleTests
{
    private const float Missing = FeatureVector.Missing;

    [Theory]
    [InlineData(0.2f, -0.75)]
    [InlineData(0.5f, -0.75)] // a tie goes left
    [InlineData(0.50001f, 2.25)]
    [InlineData(7f, 2.25)]
    [InlineData(Missing, -0.75)]
    public void AStumpSplitsOnItsThreshold(float value, double expected)
    {
        // x0 ≤ 0.5 ? -1 : 2, plus a bias of 0.25.
        var ensemble = new TreeEnsemble(new TreeEnsembleData([0], [0.5f], [~0], [~1], [-1.0, 2.0], [], [0], 0.25));

        Assert.True(ensemble.UsesQuickScorer);
        Assert.Equal(expected, ensemble.Evaluate([value]));
        Assert.Equal(expected, ensemble.Walk([value]));
    }

    [Fact]
    public void ASingleLeafTreeAddsItsLeafWhateverTheRow()
    {
        var ensemble = new TreeEnsemble(new TreeEnsembleData([], [], [], [], [1.5], [], [~0], 0.125));

        Assert.True(ensemble.UsesQuickScorer);
        Assert.Equal(1.625, ensemble.Evaluate([]));
        Assert.Equal(1.625, ensemble.Evaluate([3f, Missing]));
    }

    [Theory]
    [InlineData(2f, 0f, 0f, 100.5)] // x0 > 1: A
    [InlineData(0.5f, 1f, 0f, 1.5)] // x0 ≤ 1, x1 ≤ 2: B
    [InlineData(-1f, 3f, 0f, 2.5)] // x1 > 2, x0 ≤ 0: C
    [InlineData(0.5f, 3f, 4f, 4.5)] // x0 > 0, x2 ≤ 5: D
    [InlineData(0.5f, 3f, 6f, 8.5)] // x2 > 5: E
    [InlineData(1f, 2f, 9f, 1.5)] // ties at both of the first two splits go left: B
    [InlineData(0f, 3f, 9f, 2.5)] // tie on the second split of x0: C
    [InlineData(0.5f, 3f, 5f, 4.5)] // tie on x2: D
    [InlineData(Missing, Missing, Missing, 1.5)]
    [InlineData(Missing, 3f, Missing, 2.5)]
    [InlineData(0.5f, 3f, Missing, 4.5)]
    public void AnUnbalancedTreeFindsItsExitLeaf(float x0, float x1, float x2, double expected)
    {
        var ensemble = new TreeEnsemble(Unbalanced(bias: 0.5));

        Assert.True(ensemble.UsesQuickScorer);
        Assert.Equal(expected, ensemble.Evaluate([x0, x1, x2]));
        Assert.Equal(expected, ensemble.Walk([x0, x1, x2]));
    }

    [Fact]
    public void TreesOfAllShapesAddUpInOneEnsemble()
    {
        // A stump on x1, a single leaf, the unbalanced tree, and another stump on x0 sharing the
        // unbalanced tree's threshold of 1: the leaves of each tree are renumbered from its own start.
        var u = Unbalanced(bias: 0);
        var data = new TreeEnsembleData(
            Features: [1, .. u.Features, 0],
            Thresholds: [0.25f, .. u.Thresholds, 1f],
            Left: [~0, .. u.Left.Select(c => Shift(c, 1, 3)), ~8],
            Right: [~1, .. u.Right.Select(c => Shift(c, 1, 3)), ~9],
            Leaves: [16, 32, 0.25, .. u.Leaves, 64, 128],
            NodeValues: [],
            Roots: [0, ~2, 1, 5],
            Bias: -0.5);
        var ensemble = new TreeEnsemble(data);

        Assert.True(ensemble.UsesQuickScorer);
        Assert.Equal(-0.5 + 16 + 0.25 + 1 + 64, ensemble.Evaluate([1f, 0.25f, 0f]));
        Assert.Equal(-0.5 + 32 + 0.25 + 4 + 64, ensemble.Evaluate([0.5f, 3f, 4f]));
        Assert.Equal(-0.5 + 32 + 0.25 + 100 + 128, ensemble.Evaluate([1.5f, 3f, 4f]));
        Assert.Equal(-0.5 + 16 + 0.25 + 1 + 64, ensemble.Evaluate([Missing, Missing, Missing]));

        static int Shift(int child, int nodes, int leaves) => child >= 0 ? child + nodes : ~(~child + leaves);
    }

    [Fact]
    public void EqualThresholdsInManyTreesAllSendATieLeft()
    {
        const float t = 0.3f;
        var data = new TreeEnsembleData(
            Features: [0, 0, 1, 0],
            Thresholds: [t, t, t, t],
            Left: [~0, ~2, ~4, ~6],
            Right: [~1, ~3, ~5, ~7],
            Leaves: [1, 2, 4, 8, 16, 32, 64, 128],
            NodeValues: [],
            Roots: [0, 1, 2, 3],
            Bias: 0);
        var ensemble = new TreeEnsemble(data);

        Assert.Equal(1.0 + 4 + 16 + 64, ensemble.Evaluate([t, t]));
        Assert.Equal(1.0 + 4 + 32 + 64, ensemble.Evaluate([t, MathF.BitIncrement(t)]));
        Assert.Equal(2.0 + 8 + 16 + 128, ensemble.Evaluate([MathF.BitIncrement(t), MathF.BitDecrement(t)]));
        Assert.Equal(1.0 + 4 + 16 + 64, ensemble.Evaluate([MathF.BitDecrement(t), Missing]));
    }

    [Theory]
    [InlineData(64, true, true)]
    [InlineData(64, false, true)]
    [InlineData(65, true, false)]
    [InlineData(100, false, false)]
    public void ChainsUpTo64LeavesUseQuickScorerAndLongerOnesTheWalk(int leaves, bool leftDeep, bool quick)
    {
        var ensemble = new TreeEnsemble(Chain(leaves, leftDeep));

        Assert.Equal(quick, ensemble.UsesQuickScorer);
        foreach (var x in new[] { Missing, -1f, 0f, 0.5f, 1f, 2.5f, 31f, 31.5f, 32f, 33f, leaves - 2.5f, leaves - 2, leaves - 1.5f, 1000f })
        {
            // Both chains send x to in-order leaf clamp(⌈x⌉, 0, leaves − 1), whose value is its index / 4.
            var leaf = Math.Clamp(Math.Ceiling(x), 0, leaves - 1);
            Assert.Equal(0.5 + leaf / 4, ensemble.Evaluate([x]));
        }
    }

    [Fact]
    public void MoreTreesThanFitOnTheStackStillScoreRight()
    {
        const int trees = 5000;
        var random = new Random(5);
        var features = new int[trees];
        var thresholds = new float[trees];
        var leaves = new double[2 * trees];
        for (var t = 0; t < trees; t++)
        {
            features[t] = t % 3;
            thresholds[t] = (float)random.NextDouble();
            leaves[2 * t] = random.NextDouble() - 0.5;
            leaves[(2 * t) + 1] = random.NextDouble() - 0.5;
        }

        var ensemble = new TreeEnsemble(new TreeEnsembleData(features, thresholds,
            [.. Enumerable.Range(0, trees).Select(t => ~(2 * t))], [.. Enumerable.Range(0, trees).Select(t => ~((2 * t) + 1))],
            leaves, [], [.. Enumerable.Range(0, trees)], 0.1));

        Assert.True(ensemble.UsesQuickScorer);
        for (var i = 0; i < 20; i++)
        {
            float[] x = [(float)random.NextDouble(), thresholds[random.Next(trees)], i % 2 == 0 ? Missing : 1f];
            var expected = 0.1;
            for (var t = 0; t < trees; t++)
            {
                expected += leaves[(2 * t) + (x[features[t]] <= thresholds[t] ? 0 : 1)];
            }

            Assert.Equal(expected, ensemble.Evaluate(x));
        }
    }

    [Fact]
    public void ARowTooShortForASplitFailsAsTheWalkDid()
    {
        var ensemble = new TreeEnsemble(new TreeEnsembleData([2], [0.5f], [~0], [~1], [1, 2], [], [0], 0));

        Assert.Throws<IndexOutOfRangeException>(() => ensemble.Evaluate([0f, 0f]));
    }

    [Theory]
    [InlineData(7, 60)]
    [InlineData(48, 15)]
    public void ATrainedModelScoresExactlyAsThePathWalk(int leaves, int iterations)
    {
        var set = SyntheticTrainingSet.Create(3000, seed: 21);
        var trainer = new ModelTrainer(new TrainerOptions { Iterations = iterations, Leaves = leaves, MinExamplesPerLeaf = 10, ValidationFraction = 0 },
            TimeProvider.System);
        var model = Assert.IsType<SupervisedModel>(trainer.Train(set, new TrainingContext(null, null, TimeSpan.FromDays(7), 0.5)));
        var ensemble = model.Ensemble;
        Assert.True(ensemble.UsesQuickScorer);
        var largest = ensemble.Data.Roots.Max(root => LeafCount(ensemble.Data, root));
        Assert.True(largest > Math.Min(leaves, 40) / 2, $"the largest tree has {largest} leaves");

        var rows = ProbeRows(set, ensemble.Data, count: 3000, seed: 22);
        var mismatches = 0;
        var contributions = new double[FeatureVector.Length];
        for (var i = 0; i < rows.Count; i++)
        {
            var walk = ensemble.Walk(rows[i]);
            if (ensemble.Evaluate(rows[i]) != walk)
            {
                mismatches++;
            }

            // Explain walks the paths and sums in the same order: the same output to the bit.
            if (i % 10 == 0 && ensemble.Explain(rows[i], contributions) != walk)
            {
                mismatches++;
            }
        }

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void ScoringIsThreadSafeAndAllocationFree()
    {
        var set = SyntheticTrainingSet.Create(2000, seed: 23);
        var model = Assert.IsType<SupervisedModel>(new ModelTrainer(new TrainerOptions { Iterations = 30, ValidationFraction = 0 }, TimeProvider.System)
            .Train(set, new TrainingContext(null, null, TimeSpan.FromDays(7), 0.5)));
        var ensemble = model.Ensemble;
        var rows = ProbeRows(set, ensemble.Data, count: 2000, seed: 24);
        var expected = rows.Select(r => ensemble.Walk(r)).ToArray();

        var wrong = 0;
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < rows.Count; i++)
            {
                if (ensemble.Evaluate(rows[i]) != expected[i])
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });
        Assert.Equal(0, wrong);

        var sum = 0.0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < rows.Count; i++)
        {
            sum += ensemble.Evaluate(rows[i]);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(double.IsFinite(sum));
    }

    private static int LeafCount(TreeEnsembleData data, int node) =>
        node < 0 ? 1 : LeafCount(data, data.Left[node]) + LeafCount(data, data.Right[node]);

    /// <summary>
    /// <c>x0 ≤ 1 ? (x1 ≤ 2 ? B : (x0 ≤ 0 ? C : (x2 ≤ 5 ? D : E))) : A</c>, in-order leaves B C D E A,
    /// stored in the leaf array in another order (A E D C B).
    /// </summary>
    private static TreeEnsembleData Unbalanced(double bias) => new(
        Features: [0, 1, 0, 2],
        Thresholds: [1f, 2f, 0f, 5f],
        Left: [1, ~4, ~3, ~2],
        Right: [~0, 2, 3, ~1],
        Leaves: [100, 8, 4, 2, 1],
        NodeValues: [],
        Roots: [0],
        Bias: bias);

    /// <summary>
    /// A chain of <paramref name="leaves"/> leaves on x0 that sends x to in-order leaf clamp(⌈x⌉, 0, leaves − 1).
    /// Left-deep: node j tests x0 ≤ leaves − 2 − j, left to node j + 1, right to leaf leaves − 1 − j.
    /// Right-deep: node j tests x0 ≤ j, left to leaf j, right to node j + 1. The leaf array holds
    /// leaf k's value (k / 4) at position leaves − 1 − k.
    /// </summary>
    private static TreeEnsembleData Chain(int leaves, bool leftDeep)
    {
        var nodes = leaves - 1;
        var thresholds = new float[nodes];
        var left = new int[nodes];
        var right = new int[nodes];
        for (var j = 0; j < nodes; j++)
        {
            var last = j == nodes - 1;
            if (leftDeep)
            {
                thresholds[j] = leaves - 2 - j;
                left[j] = last ? Stored(0) : j + 1;
                right[j] = Stored(leaves - 1 - j);
            }
            else
            {
                thresholds[j] = j;
                left[j] = Stored(j);
                right[j] = last ? Stored(leaves - 1) : j + 1;
            }
        }

        var values = Enumerable.Range(0, leaves).Select(p => (leaves - 1 - p) / 4.0).ToArray();
        return new TreeEnsembleData(new int[nodes], thresholds, left, right, values, [], [0], 0.5);

        int Stored(int leaf) => ~(leaves - 1 - leaf);
    }

    /// <summary>
    /// Real rows, and random rows whose features are real values, exact split thresholds and their
    /// float neighbours, missing values, or noise.
    /// </summary>
    private static List<float[]> ProbeRows(TrainingSet set, TreeEnsembleData data, int count, int seed)
    {
        var random = new Random(seed);
        var byFeature = Enumerable.Range(0, set.Width)
            .Select(f => data.Thresholds.Where((_, n) => data.Features[n] == f).ToArray())
            .ToArray();
        var rows = new List<float[]>(2 * count);
        for (var i = 0; i < count; i++)
        {
            rows.Add(set.Row(i % set.Count).ToArray());
        }

        for (var i = 0; i < count; i++)
        {
            var row = new float[set.Width];
            for (var f = 0; f < row.Length; f++)
            {
                var thresholds = byFeature[f];
                var threshold = thresholds.Length > 0 ? thresholds[random.Next(thresholds.Length)] : 0.5f;
                row[f] = random.Next(6) switch
                {
                    0 => set.Row(random.Next(set.Count))[f],
                    1 or 2 => threshold,
                    3 => random.Next(2) == 0 ? MathF.BitIncrement(threshold) : MathF.BitDecrement(threshold),
                    4 => Missing,
                    _ => (float)((random.NextDouble() * 3) - 1) * (f == (int)Feature.Amount ? 200 : 1),
                };
            }

            rows.Add(row);
        }

        return rows;
    }
}
