using System.Text.Json;
using Fraud.Contracts;
using Fraud.Runtime.Anomalies;
using Fraud.Runtime.Ledger;

namespace Fraud.Runtime.Tests.Ledger;

/// <summary>
/// The behaviour every <see cref="ILedger"/> must have, run against each implementation. A test
/// class shares one database; tests keep out of each other's way with their own ids, their own
/// transaction-time years (anomaly queries) and scoring-time years (stats, purge).
/// </summary>
public abstract partial class LedgerContractTests : IAsyncLifetime
{
    private readonly List<ILedger> _opened = [];

    protected static LedgerOptions Options { get; } = new() { MaxPoolSize = 8, CommandTimeout = TimeSpan.FromSeconds(30) };

    /// <summary>The ledger of this test, migrated, on the test class's database.</summary>
    protected ILedger Ledger { get; private set; } = null!;

    /// <summary>The test class's database (connection string or path).</summary>
    protected abstract string Database { get; }

    /// <summary>An empty database of its own (not migrated).</summary>
    protected abstract Task<string> NewDatabaseAsync();

    /// <summary>A new ledger instance (another replica, as far as the database knows) on <paramref name="database"/>.</summary>
    protected abstract ILedger Create(string database);

    /// <summary>Runs SQL on <paramref name="database"/> directly (to set up what only an older version could have left).</summary>
    protected abstract Task ExecuteSqlAsync(string database, string sql);

    /// <summary>A migrated ledger on an empty database of its own, and that database (for more replicas on it).</summary>
    protected async Task<(string Database, ILedger Ledger)> OpenFreshAsync()
    {
        var database = await NewDatabaseAsync();
        var ledger = Open(database);
        await ledger.MigrateAsync(CancellationToken.None);
        return (database, ledger);
    }

    protected ILedger Open(string database)
    {
        var ledger = Create(database);
        _opened.Add(ledger);
        return ledger;
    }

    public virtual async Task InitializeAsync()
    {
        Ledger = Open(Database);
        await Ledger.MigrateAsync(CancellationToken.None);
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var ledger in _opened)
        {
            switch (ledger)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    [Fact]
    public async Task Migrate_is_idempotent_and_safe_when_replicas_start_together()
    {
        await Ledger.MigrateAsync(CancellationToken.None);
        await Ledger.MigrateAsync(CancellationToken.None);

        var fresh = await NewDatabaseAsync();
        var replicas = Enumerable.Range(0, 3).Select(_ => Open(fresh)).ToList();
        await Task.WhenAll(replicas.Select(r => r.MigrateAsync(CancellationToken.None)));
        await replicas[0].MigrateAsync(CancellationToken.None);

        var row = Plain(Id("m"), "acc", At(2031));
        Assert.Equal(1, await replicas[1].WriteAsync([row], CancellationToken.None));
        Assert.Equal(Json(Stored(row)), Json(await replicas[2].GetTransactionAsync(row.TransactionId, CancellationToken.None)));
    }

    [Fact]
    public async Task Ping_answers_true()
    {
        Assert.True(await Ledger.PingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Write_and_read_back_every_field()
    {
        var full = Plain(Id("full"), "acc-full", new DateTimeOffset(2032, 3, 4, 5, 6, 7, TimeSpan.FromHours(2))) with
        {
            Amount = 1234.5600m,
            MerchantId = "m-42",
            MerchantCategory = "5411",
            Currency = "EUR",
            Country = "DE",
            Channel = Channel.CardPresent,
            DeviceId = "dev-ü-\"quoted\"",
            Latitude = 52.520008123456789,
            Longitude = -13.404954000000001,
            Score = 0.123456789012345678,
            Severity = Severity.Low,
            Reasons = [new Reason("velocity_1h", "7 payments in the last hour (usual: 1) — <&'>", 0.5), new Reason("new_device", "first time on this device", 0.25)],
            ModelVersion = "lgbm-2026-01-28",
            ScoredAt = new DateTimeOffset(2032, 3, 4, 3, 6, 7, TimeSpan.Zero).AddTicks(1_234_567), // sub-microsecond ticks
        };
        var minimal = new ScoredTransaction
        {
            TransactionId = Id("min"),
            AccountId = "acc-min",
            Timestamp = At(2032),
            Amount = 0.01m,
            Score = 0,
            Severity = Severity.None,
            Reasons = [],
            ModelVersion = "rules",
            ScoredAt = At(2032).AddSeconds(1),
        };
        var anomaly = new Anomaly(full with { TransactionId = Id("anomaly"), Severity = Severity.Critical, Score = 0.99, Amount = 99999999.99m, Channel = Channel.Transfer })
        {
            Status = AnomalyStatus.Dismissed,
            ReviewedBy = "analyst@example.com",
            ReviewedAt = At(2032).AddTicks(9),
            Note = "seen before",
        };
        var openAnomaly = new Anomaly(minimal with { TransactionId = Id("open"), Severity = Severity.High, Score = 0.8, Amount = 12m });

        Assert.Equal(4, await Ledger.WriteAsync([full, minimal, anomaly, openAnomaly], CancellationToken.None));

        foreach (var written in new ScoredTransaction[] { full, minimal, anomaly, openAnomaly })
        {
            var read = await Ledger.GetTransactionAsync(written.TransactionId, CancellationToken.None);
            Assert.NotNull(read);
            Assert.Equal(written is Anomaly, read is Anomaly);
            Assert.Equal(Json(Stored(written)), Json(read));
            Assert.Equal(written.Timestamp, read.Timestamp); // whole seconds: exact, whatever the offset given
            Assert.Equal(TimeSpan.Zero, read.Timestamp.Offset);
        }

        Assert.Equal("1234.5600", (await Ledger.GetTransactionAsync(full.TransactionId, CancellationToken.None))!.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty((await Ledger.GetTransactionAsync(minimal.TransactionId, CancellationToken.None))!.Reasons);
        Assert.Null(await Ledger.GetAnomalyAsync(full.TransactionId, CancellationToken.None));
        Assert.Equal(Json(Stored(anomaly)), Json(await Ledger.GetAnomalyAsync(anomaly.TransactionId, CancellationToken.None)));
        Assert.Equal(AnomalyStatus.Open, (await Ledger.GetAnomalyAsync(openAnomaly.TransactionId, CancellationToken.None))!.Status);
        Assert.Null(await Ledger.GetTransactionAsync(Id("unknown"), CancellationToken.None));
        Assert.Null(await Ledger.GetAnomalyAsync(Id("unknown"), CancellationToken.None));
        Assert.Equal(0, await Ledger.WriteAsync([], CancellationToken.None));
    }

    [Fact]
    public async Task Rewrite_is_ignored_and_never_overwrites_a_review()
    {
        var a = OpenAnomaly(Id("a"), "acc", At(2033));
        var b = Plain(Id("b"), "acc", At(2033).AddSeconds(1));
        Assert.Equal(2, await Ledger.WriteAsync([a, b], CancellationToken.None));
        var reviewed = await Ledger.ReviewAsync(a.TransactionId, new Review(AnomalyStatus.ConfirmedFraud, "ann", At(2033).AddHours(1), "card stolen"), null, CancellationToken.None);
        Assert.Equal(ReviewOutcome.Updated, reviewed.Outcome);

        // A redelivery: same ids, different content (a re-score), plus one new row.
        var c = Plain(Id("c"), "acc", At(2033).AddSeconds(2));
        var inserted = await Ledger.WriteAsync([a with { Score = 0.5, Status = AnomalyStatus.Open }, b with { Score = 0.9, ModelVersion = "other" }, c], CancellationToken.None);

        Assert.Equal(1, inserted);
        Assert.Equal(Json(reviewed.Anomaly), Json(await Ledger.GetTransactionAsync(a.TransactionId, CancellationToken.None)));
        Assert.Equal(Json(Stored(b)), Json(await Ledger.GetTransactionAsync(b.TransactionId, CancellationToken.None)));
        Assert.Equal(Json(Stored(c)), Json(await Ledger.GetTransactionAsync(c.TransactionId, CancellationToken.None)));
    }

    [Fact]
    public async Task Duplicates_within_one_batch_are_written_once_and_the_first_wins()
    {
        var first = Plain(Id("dup"), "acc", At(2033));
        var other = Plain(Id("other"), "acc", At(2033));
        var inserted = await Ledger.WriteAsync([first, other, first with { Score = 0.77 }, other, first], CancellationToken.None);

        Assert.Equal(2, inserted);
        Assert.Equal(Json(Stored(first)), Json(await Ledger.GetTransactionAsync(first.TransactionId, CancellationToken.None)));
    }

    [Fact]
    public async Task Keyset_pagination_returns_every_matching_anomaly_once_in_order_under_every_filter()
    {
        var year = At(2041);
        var random = new Random(7);
        var accounts = new[] { Id("acct-A"), Id("acct-b") };
        // Ids whose byte order differs from a linguistic one, and few distinct seconds: many ties.
        string[] shapes = ["{0}-{1:D3}", "{0}_{1:D3}", "{0}A{1:D3}", "{0}a{1:D3}", "{0}{1}"];
        var prefix = Id("p");
        var rows = new List<ScoredTransaction>();
        for (var i = 0; i < 70; i++)
        {
            var id = string.Format(System.Globalization.CultureInfo.InvariantCulture, shapes[i % shapes.Length], prefix, i);
            var scored = Plain(id, accounts[random.Next(accounts.Length)], year.AddSeconds(random.Next(12))) with
            {
                Score = Math.Round(random.NextDouble(), 3),
                Severity = (Severity)random.Next(5),
            };
            rows.Add(i % 7 == 6 ? scored : new Anomaly(scored));
        }

        Assert.Equal(rows.Count, await Ledger.WriteAsync(rows, CancellationToken.None));
        var anomalies = rows.OfType<Anomaly>().ToDictionary(a => a.TransactionId);
        var statuses = new[] { AnomalyStatus.ConfirmedFraud, AnomalyStatus.FalsePositive, AnomalyStatus.Dismissed };
        foreach (var (anomaly, index) in anomalies.Values.Where((_, n) => n % 3 == 0).Select((a, n) => (a, n)).ToList())
        {
            var result = await Ledger.ReviewAsync(anomaly.TransactionId, new Review(statuses[index % 3], "rev", year.AddDays(1), null), null, CancellationToken.None);
            anomalies[anomaly.TransactionId] = result.Anomaly!;
        }

        var window = new AnomalyFilter(From: year, To: At(2042));
        var tie = year.AddSeconds(3);
        var filters = new (string Name, AnomalyFilter Filter)[]
        {
            ("window only", window),
            ("severities", window with { Severities = [Severity.High, Severity.Critical, Severity.High] }),
            ("empty severities = any", window with { Severities = [] }),
            ("status open", window with { Status = AnomalyStatus.Open }),
            ("status confirmed", window with { Status = AnomalyStatus.ConfirmedFraud }),
            ("account", window with { AccountId = accounts[0] }),
            ("from inclusive, to exclusive, on ties", new AnomalyFilter(From: tie, To: tie.AddSeconds(4))),
            ("min score", window with { MinScore = 0.5 }),
            ("everything at once", new AnomalyFilter([Severity.Low, Severity.Medium, Severity.High, Severity.Critical], AnomalyStatus.Open, accounts[1], year.AddSeconds(1), year.AddSeconds(11), 0.2)),
        };

        foreach (var (name, filter) in filters)
        {
            var expected = anomalies.Values
                .Where(a => filter.Severities is not { Count: > 0 } s || s.Contains(a.Severity))
                .Where(a => filter.Status is not { } s || a.Status == s)
                .Where(a => filter.AccountId is not { } acc || a.AccountId == acc)
                .Where(a => filter.From is not { } f || a.Timestamp >= f)
                .Where(a => filter.To is not { } t || a.Timestamp < t)
                .Where(a => filter.MinScore is not { } m || a.Score >= m)
                .OrderByDescending(a => a.Timestamp)
                .ThenByDescending(a => a.TransactionId, StringComparer.Ordinal)
                .Select(a => Json(Stored(a)))
                .ToList();
            Assert.True(expected.Count > 1, $"{name}: the data should give this filter more than one row");

            foreach (var limit in new[] { 1, 4, 7, 100 })
            {
                var seen = new List<string>();
                AnomalyCursor? after = null;
                for (var pages = 0; ; pages++)
                {
                    Assert.True(pages <= expected.Count, $"{name}, limit {limit}: pagination does not end");
                    var page = await Ledger.QueryAnomaliesAsync(filter with { Limit = limit, After = after }, CancellationToken.None);
                    seen.AddRange(page.Items.Select(a => Json(a)));
                    if (page.NextCursor is null)
                    {
                        Assert.True(page.Items.Count <= limit);
                        break;
                    }

                    Assert.Equal(limit, page.Items.Count);
                    Assert.True(AnomalyCursor.TryDecode(page.NextCursor, out after), $"{name}: cursor {page.NextCursor} does not decode");
                }

                Assert.Equal(expected, seen);
            }
        }

        var exact = await Ledger.QueryAnomaliesAsync(window with { Limit = anomalies.Count }, CancellationToken.None);
        Assert.Equal(anomalies.Count, exact.Items.Count);
        Assert.Null(exact.NextCursor); // no "maybe more" when the page holds exactly everything
    }

    [Fact]
    public async Task Review_updates_with_a_matching_tag_conflicts_with_a_stale_one_and_reports_not_found()
    {
        var anomaly = OpenAnomaly(Id("rev"), "acc", At(2034));
        var plain = Plain(Id("plain"), "acc", At(2034));
        await Ledger.WriteAsync([anomaly, plain], CancellationToken.None);
        var stored = (await Ledger.GetAnomalyAsync(anomaly.TransactionId, CancellationToken.None))!;
        var openTag = AnomalyETag.Of(stored);

        var review = new Review(AnomalyStatus.ConfirmedFraud, "ann", At(2034).AddMinutes(5).AddTicks(3), "confirmed by phone");
        var updated = await Ledger.ReviewAsync(anomaly.TransactionId, review, openTag, CancellationToken.None);

        Assert.Equal(ReviewOutcome.Updated, updated.Outcome);
        Assert.Equal(AnomalyStatus.ConfirmedFraud, updated.Anomaly!.Status);
        Assert.Equal("ann", updated.Anomaly.ReviewedBy);
        Assert.Equal(At(2034).AddMinutes(5), updated.Anomaly.ReviewedAt); // to the microsecond, as stored
        Assert.Equal("confirmed by phone", updated.Anomaly.Note);
        var reread = (await Ledger.GetAnomalyAsync(anomaly.TransactionId, CancellationToken.None))!;
        Assert.Equal(Json(updated.Anomaly), Json(reread));
        Assert.Equal(AnomalyETag.Of(updated.Anomaly), AnomalyETag.Of(reread));
        Assert.NotEqual(openTag, AnomalyETag.Of(reread));

        // Someone else reviewed meanwhile: the stale tag loses and sees the current state.
        var stale = await Ledger.ReviewAsync(anomaly.TransactionId, new Review(AnomalyStatus.FalsePositive, "bob", At(2034).AddMinutes(6), null), openTag, CancellationToken.None);
        Assert.Equal(ReviewOutcome.Conflict, stale.Outcome);
        Assert.Equal(Json(reread), Json(stale.Anomaly));
        Assert.Equal(Json(reread), Json(await Ledger.GetAnomalyAsync(anomaly.TransactionId, CancellationToken.None)));

        // A weak tag never matches (If-Match compares strongly); lists and "*" do; null is unconditional.
        var weak = await Ledger.ReviewAsync(anomaly.TransactionId, new Review(AnomalyStatus.Dismissed, "bob", At(2034).AddMinutes(7), null), $"W/{AnomalyETag.Of(reread)}", CancellationToken.None);
        Assert.Equal(ReviewOutcome.Conflict, weak.Outcome);
        var listed = await Ledger.ReviewAsync(anomaly.TransactionId, new Review(AnomalyStatus.Dismissed, "bob", At(2034).AddMinutes(7), null), $"\"nope\", {AnomalyETag.Of(reread)}", CancellationToken.None);
        Assert.Equal(ReviewOutcome.Updated, listed.Outcome);
        Assert.Null(listed.Anomaly!.Note);
        Assert.Equal(ReviewOutcome.Updated, (await Ledger.ReviewAsync(anomaly.TransactionId, new Review(AnomalyStatus.Open, "cy", At(2034).AddMinutes(8), "reopened"), "*", CancellationToken.None)).Outcome);
        var last = await Ledger.ReviewAsync(anomaly.TransactionId, new Review(AnomalyStatus.FalsePositive, "dee", At(2034).AddMinutes(9), null), null, CancellationToken.None);
        Assert.Equal(ReviewOutcome.Updated, last.Outcome);
        Assert.Equal(Json(last.Anomaly), Json(await Ledger.GetTransactionAsync(anomaly.TransactionId, CancellationToken.None)));

        var missing = await Ledger.ReviewAsync(Id("missing"), review, null, CancellationToken.None);
        Assert.Equal(new ReviewResult(ReviewOutcome.NotFound, null), missing);
        var notAnomaly = await Ledger.ReviewAsync(plain.TransactionId, review, null, CancellationToken.None);
        Assert.Equal(new ReviewResult(ReviewOutcome.NotFound, null), notAnomaly);
        Assert.Equal(Json(Stored(plain)), Json(await Ledger.GetTransactionAsync(plain.TransactionId, CancellationToken.None)));
    }

    [Fact]
    public async Task Of_two_concurrent_reviews_with_the_same_tag_exactly_one_wins()
    {
        var other = Open(Database); // another replica: its own connections
        await other.MigrateAsync(CancellationToken.None);
        for (var round = 0; round < 5; round++)
        {
            var anomaly = OpenAnomaly(Id($"race{round}"), "acc", At(2035));
            await Ledger.WriteAsync([anomaly], CancellationToken.None);
            var tag = AnomalyETag.Of((await Ledger.GetAnomalyAsync(anomaly.TransactionId, CancellationToken.None))!);

            var results = await Task.WhenAll(
                Task.Run(() => Ledger.ReviewAsync(anomaly.TransactionId, new Review(AnomalyStatus.ConfirmedFraud, "ann", At(2035).AddMinutes(1), null), tag, CancellationToken.None)),
                Task.Run(() => other.ReviewAsync(anomaly.TransactionId, new Review(AnomalyStatus.FalsePositive, "bob", At(2035).AddMinutes(2), null), tag, CancellationToken.None)));

            var winner = Assert.Single(results, r => r.Outcome == ReviewOutcome.Updated);
            var loser = Assert.Single(results, r => r.Outcome == ReviewOutcome.Conflict);
            Assert.Equal(Json(winner.Anomaly), Json(loser.Anomaly));
            Assert.Equal(Json(winner.Anomaly), Json(await other.GetAnomalyAsync(anomaly.TransactionId, CancellationToken.None)));
        }
    }

    [Fact]
    public async Task The_last_label_sequence_is_that_of_the_newest_label_and_zero_without_labels()
    {
        var (_, ledger) = await OpenFreshAsync();
        Assert.Equal(0, await ledger.LastLabelSequenceAsync(CancellationToken.None));

        var a = Plain(Id("sa"), "acc-1", At(2037));
        var b = Plain(Id("sb"), "acc-2", At(2037).AddSeconds(5));
        await ledger.WriteAsync([a, b], CancellationToken.None);
        Assert.Equal(0, await ledger.LastLabelSequenceAsync(CancellationToken.None));

        foreach (var (row, fraud) in new[] { (a, true), (b, false), (a, false) })
        {
            Assert.True(await ledger.RecordLabelAsync(new FraudLabel(row.TransactionId, row.AccountId, null, row.Timestamp, fraud), At(2037).AddDays(7), CancellationToken.None));
            var labels = await ledger.LabelsAfterAsync(0, 100, CancellationToken.None);
            Assert.Equal(labels[^1].Sequence, await ledger.LastLabelSequenceAsync(CancellationToken.None));
            Assert.Equal(row.TransactionId, labels[^1].Label.TransactionId);
        }
    }

    [Fact]
    public async Task Labels_are_recorded_with_increasing_sequence_numbers_and_read_back_in_order()
    {
        var before = (await Ledger.LabelsAfterAsync(0, 10_000, CancellationToken.None)).Select(l => l.Sequence).DefaultIfEmpty(0).Max();
        var a = OpenAnomaly(Id("la"), "acc-1", At(2036)) with { MerchantId = "merch" };
        var b = Plain(Id("lb"), "acc-2", At(2036).AddSeconds(5));
        var c = Plain(Id("lc"), "acc-3", At(2036).AddSeconds(9));
        await Ledger.WriteAsync([a, b, c], CancellationToken.None);
        var labelledAt = At(2036).AddDays(7);

        Assert.True(await Ledger.RecordLabelAsync(new FraudLabel(b.TransactionId, b.AccountId, null, b.Timestamp, false), labelledAt, CancellationToken.None));
        Assert.True(await Ledger.RecordLabelAsync(new FraudLabel(a.TransactionId, a.AccountId, a.MerchantId, a.Timestamp, true), labelledAt, CancellationToken.None));
        Assert.True(await Ledger.RecordLabelAsync(new FraudLabel(c.TransactionId, c.AccountId, null, c.Timestamp, true), labelledAt, CancellationToken.None));
        Assert.False(await Ledger.RecordLabelAsync(new FraudLabel(Id("nope"), "acc", null, At(2036), true), labelledAt, CancellationToken.None));

        var labels = await Ledger.LabelsAfterAsync(before, 100, CancellationToken.None);
        Assert.Equal([b.TransactionId, a.TransactionId, c.TransactionId], labels.Select(l => l.Label.TransactionId));
        Assert.True(labels.Select(l => l.Sequence).SequenceEqual(labels.Select(l => l.Sequence).Order()) && labels[0].Sequence > before);
        Assert.Equal(labels.Count, labels.Select(l => l.Sequence).Distinct().Count());
        Assert.Equal(new FraudLabel(a.TransactionId, a.AccountId, a.MerchantId, a.Timestamp, true), labels[1].Label);
        Assert.Equal(new FraudLabel(b.TransactionId, b.AccountId, b.MerchantId, b.Timestamp, false), labels[0].Label);

        Assert.Equal([b.TransactionId], (await Ledger.LabelsAfterAsync(before, 1, CancellationToken.None)).Select(l => l.Label.TransactionId));
        Assert.Equal([a.TransactionId, c.TransactionId], (await Ledger.LabelsAfterAsync(labels[0].Sequence, 10, CancellationToken.None)).Select(l => l.Label.TransactionId));
        Assert.Empty(await Ledger.LabelsAfterAsync(labels[^1].Sequence, 10, CancellationToken.None));

        // The same verdict again (a redelivery) is no new label.
        Assert.True(await Ledger.RecordLabelAsync(new FraudLabel(a.TransactionId, a.AccountId, a.MerchantId, a.Timestamp, true), labelledAt.AddHours(1), CancellationToken.None));
        Assert.Empty(await Ledger.LabelsAfterAsync(labels[^1].Sequence, 10, CancellationToken.None));

        // A new verdict on b (a chargeback after the review) is a new, later label.
        Assert.True(await Ledger.RecordLabelAsync(new FraudLabel(b.TransactionId, b.AccountId, null, b.Timestamp, true), labelledAt.AddDays(1), CancellationToken.None));
        var after = await Ledger.LabelsAfterAsync(labels[^1].Sequence, 10, CancellationToken.None);
        var relabel = Assert.Single(after);
        Assert.True(relabel.Label.IsFraud);
        Assert.Equal(b.TransactionId, relabel.Label.TransactionId);
        Assert.Equal([a.TransactionId, c.TransactionId, b.TransactionId], (await Ledger.LabelsAfterAsync(before, 100, CancellationToken.None)).Select(l => l.Label.TransactionId));

        // Labelling leaves the scored transaction and its review as they were.
        Assert.Equal(Json(Stored(a)), Json(await Ledger.GetTransactionAsync(a.TransactionId, CancellationToken.None)));
    }

    [Fact]
    public async Task Stats_count_a_window_of_scoring_time_by_severity_status_and_model()
    {
        var from = At(2050);
        var to = from.AddHours(1);
        var rows = new List<ScoredTransaction>
        {
            Plain(Id("s1"), "acc", At(2037)) with { ScoredAt = from, ModelVersion = "m1" },                                  // inclusive start
            Plain(Id("s2"), "acc", At(2037)) with { ScoredAt = from.AddMinutes(1), ModelVersion = "m1", Severity = Severity.Low },
            Plain(Id("s3"), "acc", At(2037)) with { ScoredAt = to.AddTicks(-10), ModelVersion = "m2", Severity = Severity.Low }, // last microsecond
            OpenAnomaly(Id("s4"), "acc", At(2037)) with { ScoredAt = from.AddMinutes(2), ModelVersion = "m2", Severity = Severity.High },
            OpenAnomaly(Id("s5"), "acc", At(2037)) with { ScoredAt = from.AddMinutes(3), ModelVersion = "m2", Severity = Severity.High },
            OpenAnomaly(Id("s6"), "acc", At(2037)) with { ScoredAt = from.AddMinutes(4), ModelVersion = "m1", Severity = Severity.Critical },
            Plain(Id("out1"), "acc", At(2037)) with { ScoredAt = from.AddTicks(-10), ModelVersion = "m3" },               // just before
            OpenAnomaly(Id("out2"), "acc", At(2037)) with { ScoredAt = to, ModelVersion = "m3", Severity = Severity.Medium },     // exclusive end
        };
        await Ledger.WriteAsync(rows, CancellationToken.None);
        await Ledger.ReviewAsync(Id("s5"), new Review(AnomalyStatus.FalsePositive, "ann", to, null), null, CancellationToken.None);

        var stats = await Ledger.StatsAsync(from, to, CancellationToken.None);

        Assert.Equal(from, stats.From);
        Assert.Equal(to, stats.To);
        Assert.Equal(6, stats.Transactions);
        Assert.Equal(3, stats.Anomalies);
        Assert.Equal(
            new Dictionary<Severity, long> { [Severity.None] = 1, [Severity.Low] = 2, [Severity.Medium] = 0, [Severity.High] = 2, [Severity.Critical] = 1 },
            stats.BySeverity);
        Assert.Equal(
            new Dictionary<AnomalyStatus, long> { [AnomalyStatus.Open] = 2, [AnomalyStatus.ConfirmedFraud] = 0, [AnomalyStatus.FalsePositive] = 1, [AnomalyStatus.Dismissed] = 0 },
            stats.ByStatus);
        Assert.Equal(new Dictionary<string, long> { ["m1"] = 3, ["m2"] = 3 }, stats.ByModelVersion);
        Assert.Equal(6 / 3600.0, stats.Throughput, 9);

        var empty = await Ledger.StatsAsync(At(2051), At(2051).AddHours(1), CancellationToken.None);
        Assert.Equal(0, empty.Transactions);
        Assert.Equal(Enum.GetValues<Severity>().Length, empty.BySeverity.Count);
        Assert.All(empty.BySeverity.Values, v => Assert.Equal(0, v));
        Assert.Equal(Enum.GetValues<AnomalyStatus>().Length, empty.ByStatus.Count);
        Assert.Empty(empty.ByModelVersion);
    }

    [Fact]
    public async Task Stats_of_any_window_equal_a_count_of_the_rows_scored_in_its_whole_minutes()
    {
        // Scoring times over three days of 2052 (no other test scores then), counted from hour and
        // minute counters; every window must agree with counting the rows themselves.
        var random = new Random(52);
        var start = At(2052);
        var rows = Enumerable.Range(0, 400).Select(i =>
        {
            var scoredAt = start.AddTicks((long)(random.NextDouble() * TimeSpan.FromDays(3).Ticks));
            var row = Plain(Id($"w{i}"), "acc", At(2036)) with
            {
                ScoredAt = scoredAt,
                ModelVersion = random.Next(3) == 0 ? "m2" : "m1",
                Severity = (Severity)random.Next(5),
            };
            return random.Next(4) == 0 ? new Anomaly(row) : row;
        }).ToList();
        await Ledger.WriteAsync(rows, CancellationToken.None);
        Assert.Equal(0, await Ledger.WriteAsync(rows.Take(50).ToList(), CancellationToken.None)); // a redelivery counts nothing
        var reviewed = rows.OfType<Anomaly>().Take(12).ToList();
        for (var i = 0; i < reviewed.Count; i++)
        {
            var status = (AnomalyStatus)(1 + (i % 3));
            await Ledger.ReviewAsync(reviewed[i].TransactionId, new Review(status, "ann", start, null), null, CancellationToken.None);
            reviewed[i] = reviewed[i] with { Status = status };
        }

        var current = rows.Select(r => (ScoredTransaction)(reviewed.FirstOrDefault(a => a.TransactionId == r.TransactionId) ?? r)).ToList();
        var windows = new List<(DateTimeOffset From, DateTimeOffset To)>
        {
            (start, start.AddDays(3)),
            (start.AddMinutes(7.5), start.AddMinutes(42.25)),          // inside one hour
            (start.AddMinutes(59.9), start.AddHours(1).AddSeconds(1)), // across one hour boundary
            (start.AddHours(5).AddSeconds(30), start.AddDays(2).AddHours(3).AddMinutes(17).AddSeconds(1)),
        };
        for (var i = 0; i < 20; i++)
        {
            var a = start.AddTicks((long)(random.NextDouble() * TimeSpan.FromDays(3).Ticks));
            var b = start.AddTicks((long)(random.NextDouble() * TimeSpan.FromDays(3).Ticks));
            windows.Add(a < b ? (a, b) : (b, a.AddMinutes(1)));
        }

        foreach (var (from, to) in windows)
        {
            var stats = await Ledger.StatsAsync(from, to, CancellationToken.None);
            var wholeFrom = new DateTimeOffset(from.UtcTicks - from.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
            var wholeTo = to.UtcTicks % TimeSpan.TicksPerMinute == 0 ? to : new DateTimeOffset(to.UtcTicks - to.UtcTicks % TimeSpan.TicksPerMinute + TimeSpan.TicksPerMinute, TimeSpan.Zero);
            var inWindow = current.Where(r => Stored(r).ScoredAt >= wholeFrom && Stored(r).ScoredAt < wholeTo).ToList();
            var window = $"[{from:O}, {to:O})";
            Assert.True(wholeFrom == stats.From, $"{window}: from {stats.From:O}, expected {wholeFrom:O}");
            Assert.True(wholeTo == stats.To, $"{window}: to {stats.To:O}, expected {wholeTo:O}");
            Assert.True(inWindow.Count == stats.Transactions, $"{window}: {stats.Transactions} transactions, expected {inWindow.Count}");
            Assert.Equal(inWindow.OfType<Anomaly>().Count(), stats.Anomalies);
            Assert.Equal(Enum.GetValues<Severity>().ToDictionary(s => s, s => (long)inWindow.Count(r => r.Severity == s)), stats.BySeverity);
            Assert.Equal(Enum.GetValues<AnomalyStatus>().ToDictionary(s => s, s => (long)inWindow.OfType<Anomaly>().Count(r => r.Status == s)), stats.ByStatus);
            Assert.Equal(inWindow.GroupBy(r => r.ModelVersion).ToDictionary(g => g.Key, g => (long)g.Count()), stats.ByModelVersion);
        }
    }

    [Fact]
    public async Task Activity_is_the_last_complete_minute_and_the_model_of_the_latest_transactions()
    {
        // Scored in 2060, later than any other test scores: these are the latest rows of the database.
        var minute = At(2060).AddHours(5).AddMinutes(7);
        var rows = new List<ScoredTransaction>
        {
            Plain(Id("act1"), "acc", At(2036)) with { ScoredAt = minute.AddSeconds(1), ModelVersion = "older" },
            Plain(Id("act2"), "acc", At(2036)) with { ScoredAt = minute.AddSeconds(20), ModelVersion = "newer" },
            Plain(Id("act3"), "acc", At(2036)) with { ScoredAt = minute.AddSeconds(59.9), ModelVersion = "newer" },
            OpenAnomaly(Id("act4"), "acc", At(2036)) with { ScoredAt = minute.AddMinutes(1).AddSeconds(3), ModelVersion = "newest" },
        };
        await Ledger.WriteAsync(rows, CancellationToken.None);

        var during = await Ledger.ActivityAsync(minute.AddMinutes(1).AddSeconds(30), CancellationToken.None);
        Assert.Equal(3, during.LastMinuteTransactions);
        Assert.Equal(3 / 60.0, during.TransactionsPerSecond, 9);
        Assert.Equal("newest", during.LatestModelVersion);

        var later = await Ledger.ActivityAsync(minute.AddMinutes(10), CancellationToken.None);
        Assert.Equal(0, later.LastMinuteTransactions);
        Assert.Equal("newest", later.LatestModelVersion);
    }

    [Fact]
    public async Task Upgrading_a_ledger_counts_the_rows_it_already_holds_into_the_stats()
    {
        var (database, ledger) = await OpenFreshAsync();
        var from = At(2053);
        var rows = Enumerable.Range(0, 30).Select(i => Plain(Id($"u{i}"), "acc", At(2036)) with { ScoredAt = from.AddMinutes(i * 7) }).ToList();
        rows[3] = new Anomaly(rows[3]) with { Status = AnomalyStatus.Dismissed };
        rows[5] = new Anomaly(rows[5]);
        await ledger.WriteAsync(rows, CancellationToken.None);
        var before = await ledger.StatsAsync(from, from.AddDays(1), CancellationToken.None);

        // As a ledger of the first schema version left it: rows, and no counters.
        await ExecuteSqlAsync(database, """
            DROP TABLE ledger_stats; DROP TABLE cases; DROP TABLE case_events; DROP TABLE ledger_leases; DROP TABLE case_inbox; DROP TABLE case_alerts;
            DROP TABLE learned_models; DROP TABLE alert_features;
            DROP INDEX scored_transactions_account_idx;
            CREATE INDEX scored_transactions_anomalies_account_idx ON scored_transactions (account_id, transaction_time DESC, transaction_id DESC) WHERE is_anomaly;
            DELETE FROM schema_migrations WHERE version >= 2;
            """);
        var upgraded = Open(database);
        await upgraded.MigrateAsync(CancellationToken.None);

        var after = await upgraded.StatsAsync(from, from.AddDays(1), CancellationToken.None);
        // Its anomalies still open wait for their cases; the one reviewed already does not.
        Assert.Equal([rows[5].TransactionId], (await ((ICaseLedger)upgraded).UncasedAlertsAsync(10, CancellationToken.None)).Select(a => a.TransactionId));
        Assert.Equal(30, before.Transactions);
        Assert.Equal(JsonSerializer.Serialize(before), JsonSerializer.Serialize(after));
        Assert.Equal(1, after.ByStatus[AnomalyStatus.Dismissed]);
    }

    [Fact]
    public async Task Purge_deletes_everything_scored_before_the_cutoff_in_chunks()
    {
        // Scoring times in 2001-2002: every other test scores after 2030.
        var cutoff = At(2002);
        var old = Enumerable.Range(0, 10_050)
            .Select(i => i % 10 == 0 ? OpenAnomaly(Id($"old{i}"), "acc", At(2038)) with { ScoredAt = At(2001).AddSeconds(i) } : Plain(Id($"old{i}"), "acc", At(2038)) with { ScoredAt = At(2001).AddSeconds(i) })
            .ToList();
        var edge = Plain(Id("edge"), "acc", At(2038)) with { ScoredAt = cutoff };
        var recent = Plain(Id("recent"), "acc", At(2038)) with { ScoredAt = At(2002).AddDays(1) };
        await Ledger.WriteAsync([.. old, edge, recent], CancellationToken.None);
        await Ledger.RecordLabelAsync(new FraudLabel(old[0].TransactionId, "acc", null, old[0].Timestamp, true), At(2002), CancellationToken.None);

        Assert.Equal(old.Count, await Ledger.PurgeAsync(cutoff, CancellationToken.None));

        Assert.Null(await Ledger.GetTransactionAsync(old[0].TransactionId, CancellationToken.None));
        Assert.Null(await Ledger.GetTransactionAsync(old[^1].TransactionId, CancellationToken.None));
        Assert.NotNull(await Ledger.GetTransactionAsync(edge.TransactionId, CancellationToken.None));
        Assert.NotNull(await Ledger.GetTransactionAsync(recent.TransactionId, CancellationToken.None));
        Assert.Equal(0, (await Ledger.StatsAsync(At(2001), cutoff, CancellationToken.None)).Transactions);
        Assert.Equal(0, await Ledger.PurgeAsync(cutoff, CancellationToken.None));
    }

    [Fact]
    public async Task By_default_the_retention_service_purges_at_start_what_was_scored_more_than_30_days_ago()
    {
        var (_, ledger) = await OpenFreshAsync();
        var now = At(2040);
        var old = Plain(Id("retention-old"), "acc", At(2039)) with { ScoredAt = now.AddDays(-31) };
        var kept = Plain(Id("retention-kept"), "acc", At(2039)) with { ScoredAt = now.AddDays(-29) };
        await ledger.WriteAsync([old, kept], CancellationToken.None);

        using var retention = new LedgerRetention(ledger, Microsoft.Extensions.Options.Options.Create(new LedgerOptions()), new Anomalies.ManualTimeProvider(now),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<LedgerRetention>.Instance);
        await retention.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await ledger.GetTransactionAsync(old.TransactionId, CancellationToken.None) is not null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await retention.StopAsync(CancellationToken.None);
        Assert.Null(await ledger.GetTransactionAsync(old.TransactionId, CancellationToken.None));
        Assert.NotNull(await ledger.GetTransactionAsync(kept.TransactionId, CancellationToken.None));
    }

    // ----- data -------------------------------------------------------------------------------

    private readonly string _run = Guid.NewGuid().ToString("N")[..10];

    /// <summary>An id unique to this test run.</summary>
    protected string Id(string name) => $"{name}-{_run}";

    protected static DateTimeOffset At(int year) => new(year, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected static ScoredTransaction Plain(string id, string account, DateTimeOffset timestamp) => new()
    {
        TransactionId = id,
        AccountId = account,
        Timestamp = timestamp,
        Amount = 42.5m,
        MerchantId = "merchant-1",
        Channel = Channel.Online,
        Score = 0.05,
        Severity = Severity.None,
        Reasons = [new Reason("amount_z", "amount close to usual", 0.1)],
        ModelVersion = "m1",
        ScoredAt = timestamp.AddSeconds(1).AddTicks(4_321),
    };

    protected static Anomaly OpenAnomaly(string id, string account, DateTimeOffset timestamp) =>
        new(Plain(id, account, timestamp) with { Score = 0.93, Severity = Severity.High });

    /// <summary>What the ledger keeps of a row: times in UTC, truncated to the microsecond.</summary>
    protected static ScoredTransaction Stored(ScoredTransaction row)
    {
        var stored = row with { Timestamp = Micro(row.Timestamp), ScoredAt = Micro(row.ScoredAt) };
        return stored is Anomaly { ReviewedAt: { } reviewedAt } anomaly ? anomaly with { ReviewedAt = Micro(reviewedAt) } : stored;
    }

    private static DateTimeOffset Micro(DateTimeOffset value) => new(value.UtcTicks - value.UtcTicks % 10, TimeSpan.Zero);

    /// <summary>Everything a row carries, in the events' JSON, with its kind: equal text means equal rows.</summary>
    protected static string Json(ScoredTransaction? row) => row switch
    {
        null => "null",
        Anomaly anomaly => "anomaly " + JsonSerializer.Serialize(anomaly, FraudJsonContext.Default.Anomaly),
        _ => "scored " + JsonSerializer.Serialize(row, FraudJsonContext.Default.ScoredTransaction),
    };
}
