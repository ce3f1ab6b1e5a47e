using Fraud.Core.Model;
using Fraud.Detector.Models;

namespace Fraud.Detector.Tests.Models;

public sealed class ReviewedRowsTests
{
    private static readonly int Width = Fraud.Core.Features.FeatureVector.Length;

    [Fact]
    public void A_verdict_labels_the_remembered_row_or_the_kept_one_and_a_later_verdict_changes_the_label()
    {
        var rows = new ReviewedRows(capacity: 3, width: Width);
        Assert.True(rows.Remember("a", Row(1)));
        Assert.False(rows.Remember("a", Row(9)));
        Assert.True(rows.IsPending("a"));

        Assert.True(rows.Label("a", isFraud: true, kept: Row(5))); // the remembered row wins
        Assert.False(rows.IsPending("a"));
        Assert.False(rows.Remember("a", Row(2))); // labelled already
        Assert.False(rows.Label("b", isFraud: true)); // neither remembered nor kept
        Assert.True(rows.Label("b", isFraud: false, kept: Row(3)));
        Assert.False(rows.Label("c", isFraud: true, kept: [4, 4])); // a kept row of another width
        Assert.Equal((2, 1), (rows.Labelled, rows.Frauds));

        // A chargeback after the review: the label changes, nothing is counted twice.
        Assert.True(rows.Label("b", isFraud: true, kept: Row(3)));
        Assert.Equal((2, 2), (rows.Labelled, rows.Frauds));

        // The ring keeps the newest three.
        rows.Label("c", isFraud: false, kept: Row(6));
        rows.Label("d", isFraud: false, kept: Row(7));
        Assert.Equal((3, 1), (rows.Labelled, rows.Frauds));
        Assert.True(rows.Label("a", isFraud: true, kept: Row(8))); // evicted, so it comes back as a new row

        var set = new TrainingSet();
        rows.CopyTo(set);
        Assert.Equal(3, set.Count);
        Assert.Equal([7f, 8f, 6f], Enumerable.Range(0, set.Count).Select(i => set.Row(i)[0]));
        Assert.Equal([false, true, false], Enumerable.Range(0, set.Count).Select(i => set.Label(i)));
        Assert.Equal((3, 1), (rows.Labelled, rows.Frauds));
    }

    private static float[] Row(float value) => Enumerable.Repeat(value, Width).ToArray();
}
