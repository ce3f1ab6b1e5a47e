using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Fraud.Api.Tests.Infrastructure;

namespace Fraud.Api.Tests;

/// <summary>The ingest contract: <c>POST /transactions</c> refuses bad input whole with every field named, and 202 means durable.</summary>
public sealed class IngestTests(IngestTests.Fixture fixture) : IClassFixture<IngestTests.Fixture>
{
    public const int MaxBatch = 20;
    public const int MaxBody = 64 * 1024;

    private readonly ApiHost _host = fixture.Host;

    private HttpClient Http => _host.Http;

    [Fact]
    public async Task A_transaction_with_bad_fields_is_refused_with_every_bad_field_named()
    {
        using var response = await Http.PostAsync("transactions", Tx.Raw(
            """
            {"transactionId": "", "timestamp": "yesterday", "amount": -5, "currency": "EURO", "country": "FRA",
             "channel": "carrier_pigeon", "latitude": 91, "longitude": -181, "merchantId": 42}
            """));

        var problem = await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response);
        HttpAssert.IsProblem(problem, HttpStatusCode.BadRequest);
        var errors = HttpAssert.Errors(problem);
        Assert.Equal(
            ["accountId", "amount", "channel", "country", "currency", "latitude", "longitude", "merchantId", "timestamp", "transactionId"],
            errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("required", errors["accountId"][0], StringComparison.Ordinal);
        Assert.Contains("yesterday", errors["timestamp"][0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("transactions")]
    [InlineData("score")]
    public async Task Text_that_is_not_valid_unicode_is_a_400_naming_the_field_never_a_500(string route)
    {
        byte[] body =
        [
            .. "{\"transactionId\":\"bad-"u8, 0xFF, .. "\",\"accountId\":\"acct-\\ud800\",\"timestamp\":\"2026-03-02T09:00:00Z\",\"amount\":5}"u8,
        ];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await Http.PostAsync(route, content);

        var problem = await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response);
        var errors = HttpAssert.Errors(problem);
        Assert.Equal(["accountId", "transactionId"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.All(errors.Values, e => Assert.Contains("is not valid text", e[0], StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_batch_with_one_bad_item_is_refused_whole_and_nothing_of_it_is_recorded()
    {
        var body = new JsonArray(
            Tx.Quiet("vb-good-0", "acct-vb", Tx.T0),
            new JsonObject { ["transactionId"] = "vb-bad-1", ["accountId"] = "acct-vb", ["timestamp"] = Tx.Iso(Tx.T0), ["amount"] = 0, ["currency"] = "EURO" },
            Tx.Quiet("vb-good-2", "acct-vb", Tx.T0.AddMinutes(1)),
            new JsonObject { ["accountId"] = "acct-vb", ["timestamp"] = Tx.Iso(Tx.T0), ["amount"] = 3 },
            42);

        using var response = await Http.PostAsync("transactions", Tx.Json(body));

        var errors = HttpAssert.Errors(await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response));
        Assert.Equal(["[1].amount", "[1].currency", "[3].transactionId", "[4]"], errors.Keys.Order(StringComparer.Ordinal));
        foreach (var id in new[] { "vb-good-0", "vb-bad-1", "vb-good-2" })
        {
            using var read = await Http.GetAsync($"transactions/{id}");
            await HttpAssert.StatusAsync(HttpStatusCode.NotFound, read);
        }

        Assert.Equal(0L, _host.LedgerScalar("SELECT count(*) FROM scored_transactions WHERE account_id = 'acct-vb'"));

        // The same good items alone go through: nothing of the refused batch lingers.
        using var retry = await Http.PostAsync("transactions", Tx.Json([Tx.Quiet("vb-good-0", "acct-vb", Tx.T0), Tx.Quiet("vb-good-2", "acct-vb", Tx.T0.AddMinutes(1))]));
        Assert.Equal(2, (await HttpAssert.StatusAsync(HttpStatusCode.Accepted, retry))!["accepted"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("", "$")]
    [InlineData("[{\"transactionId\": \"x\",", "$")]
    [InlineData("[]", "$")]
    [InlineData("\"a string\"", "$")]
    [InlineData("{\"transactionId\":\"t\",\"accountId\":\"a\",\"timestamp\":\"2026-03-02T09:00:00Z\",\"amount\":1} {}", "$")]
    public async Task A_body_that_is_not_transactions_is_a_400_naming_the_body(string body, string path)
    {
        using var response = await Http.PostAsync("transactions", Tx.Raw(body));

        var errors = HttpAssert.Errors(await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, response));
        Assert.Equal([path], errors.Keys);
    }

    [Fact]
    public async Task A_batch_larger_than_the_configured_maximum_is_refused_whole()
    {
        var tooMany = Enumerable.Range(0, MaxBatch + 1).Select(i => Tx.Quiet($"big-{i}", $"acct-big-{i}", Tx.T0)).ToList();

        using var refused = await Http.PostAsync("transactions", Tx.Json(tooMany));

        var errors = HttpAssert.Errors(await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, refused));
        Assert.Contains($"at most {MaxBatch}", Assert.Single(errors["$"]), StringComparison.Ordinal);
        using (var first = await Http.GetAsync("transactions/big-0"))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.NotFound, first);
        }

        using var atTheLimit = await Http.PostAsync("transactions", Tx.Json(tooMany.Take(MaxBatch).Select(t => t.DeepClone().AsObject())));
        Assert.Equal(MaxBatch, (await HttpAssert.StatusAsync(HttpStatusCode.Accepted, atTheLimit))!["accepted"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_413_with_or_without_a_content_length()
    {
        var padding = new string(' ', MaxBody);
        var json = $"[{Tx.Quiet("huge-0", "acct-huge", Tx.T0).ToJsonString()}{padding}]";

        using (var sized = await Http.PostAsync("transactions", Tx.Raw(json)))
        {
            HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.RequestEntityTooLarge, sized), HttpStatusCode.RequestEntityTooLarge);
        }

        using (var chunked = await Http.PostAsync("transactions", new ChunkedContent(Encoding.UTF8.GetBytes(json))))
        {
            Assert.Null(chunked.RequestMessage?.Content?.Headers.ContentLength);
            HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.RequestEntityTooLarge, chunked), HttpStatusCode.RequestEntityTooLarge);
        }

        using (var read = await Http.GetAsync("transactions/huge-0"))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.NotFound, read);
        }

        // Just under the limit, chunked, is read whole and accepted.
        var fits = $"[{Tx.Quiet("huge-1", "acct-huge", Tx.T0).ToJsonString()}{padding[..(MaxBody - 300)]}]";
        using var accepted = await Http.PostAsync("transactions", new ChunkedContent(Encoding.UTF8.GetBytes(fits)));
        await HttpAssert.StatusAsync(HttpStatusCode.Accepted, accepted);
    }

    [Fact]
    public async Task An_acknowledged_batch_is_committed_to_the_ledger_before_the_202()
    {
        var batch = Enumerable.Range(0, MaxBatch).Select(i => Tx.Quiet($"ack-{i}", $"acct-ack-{i % 4}", Tx.T0.AddMinutes(i), 10m + i)).ToList();

        using var response = await Http.PostAsync("transactions", Tx.Json(batch));

        Assert.Equal(MaxBatch, (await HttpAssert.StatusAsync(HttpStatusCode.Accepted, response))!["accepted"]!.GetValue<int>());
        // Committed means visible to another connection at once: no polling, no delay.
        Assert.Equal((long)MaxBatch, _host.LedgerScalar("SELECT count(*) FROM scored_transactions WHERE transaction_id LIKE 'ack-%'"));
        for (var i = 0; i < MaxBatch; i++)
        {
            var scored = await Http.OkJsonAsync($"transactions/ack-{i}");
            Assert.Equal($"ack-{i}", scored.Str("transactionId"));
            Assert.Equal($"acct-ack-{i % 4}", scored.Str("accountId"));
            Assert.Equal(10m + i, scored["amount"]!.GetValue<decimal>());
            Assert.Equal(Tx.T0.AddMinutes(i), DateTimeOffset.Parse(scored.Str("timestamp"), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("none", scored.Str("severity"));
            Assert.Equal("rules-only", scored.Str("modelVersion"));
            Assert.InRange(scored["score"]!.GetValue<double>(), 0, 0.25);
            Assert.Null(scored["status"]);
        }
    }

    [Fact]
    public async Task A_resent_id_with_other_content_is_reported_and_its_first_copy_stands_everywhere()
    {
        // A card-testing burst makes the last copy an alert if it were scored; its id was scored quietly first.
        using (var quiet = await Http.PostAsync("transactions", Tx.Json([Tx.Quiet("resend-x", "acct-resend", Tx.T0.AddHours(-2), 21m)])))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, quiet);
        }

        var burst = Tx.CardTesting("resend", "acct-resend", Tx.T0);
        var alert = burst[^1].DeepClone().AsObject();
        alert["transactionId"] = "resend-x";
        var resent = new List<JsonObject>([.. burst.Take(burst.Count - 1).Select(t => t.DeepClone().AsObject()), alert]);
        using (var response = await Http.PostAsync("transactions", Tx.Json(resent.Take(MaxBatch))))
        {
            var answer = await HttpAssert.StatusAsync(HttpStatusCode.Accepted, response);
            Assert.Equal(Math.Min(resent.Count, MaxBatch), answer!["accepted"]!.GetValue<int>());
            Assert.Equal(1, answer["conflicts"]!.GetValue<int>());
            Assert.Equal(["resend-x"], answer["conflictIds"]!.AsArray().Select(i => i!.GetValue<string>()));
        }

        var stored = await Http.OkJsonAsync("transactions/resend-x");
        Assert.Equal(21m, stored["amount"]!.GetValue<decimal>());
        Assert.Equal("none", stored.Str("severity"));
        using (var anomaly = await Http.GetAsync("anomalies/resend-x"))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.NotFound, anomaly);
        }

        var listed = await Http.OkJsonAsync("anomalies?accountId=acct-resend&limit=100");
        Assert.DoesNotContain("resend-x", listed.Ids());

        // The same content again is no conflict, and is not scored again.
        using var identical = await Http.PostAsync("transactions", Tx.Json([Tx.Quiet("resend-x", "acct-resend", Tx.T0.AddHours(-2), 21m)]));
        var again = await HttpAssert.StatusAsync(HttpStatusCode.Accepted, identical);
        Assert.Equal(1, again!["accepted"]!.GetValue<int>());
        Assert.Equal(0, again["conflicts"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_same_id_more_than_once_in_a_request_is_reported_and_only_its_first_copy_is_scored()
    {
        var first = Tx.Quiet("dup-in-1", "acct-dup-in", Tx.T0, 20m);
        var other = Tx.Quiet("dup-in-1", "acct-dup-in", Tx.T0.AddMinutes(1), 9_500m);
        var body = new JsonArray(first, Tx.Quiet("dup-in-2", "acct-dup-in", Tx.T0.AddMinutes(2)), other, first.DeepClone());

        using var response = await Http.PostAsync("transactions", Tx.Json(body));

        var answer = await HttpAssert.StatusAsync(HttpStatusCode.Accepted, response);
        Assert.Equal(4, answer!["accepted"]!.GetValue<int>());
        Assert.Equal(2, answer["duplicates"]!.GetValue<int>());
        Assert.Equal(["dup-in-1"], answer["duplicateIds"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Equal(20m, (await Http.OkJsonAsync("transactions/dup-in-1"))["amount"]!.GetValue<decimal>());

        using var clean = await Http.PostAsync("transactions", Tx.Json(Tx.Quiet("dup-in-3", "acct-dup-in", Tx.T0.AddMinutes(3))));
        var cleanAnswer = await HttpAssert.StatusAsync(HttpStatusCode.Accepted, clean);
        Assert.Equal(0, cleanAnswer!["duplicates"]!.GetValue<int>());
        Assert.Null(cleanAnswer["duplicateIds"]);
    }

    [Fact]
    public async Task A_single_object_is_accepted_as_a_batch_of_one()
    {
        using var response = await Http.PostAsync("transactions", Tx.Json(Tx.Quiet("single-1", "acct-single", Tx.T0)));

        Assert.Equal(1, (await HttpAssert.StatusAsync(HttpStatusCode.Accepted, response))!["accepted"]!.GetValue<int>());
        Assert.Equal("acct-single", (await Http.OkJsonAsync("transactions/single-1")).Str("accountId"));
    }

    [Fact]
    public async Task Resending_a_batch_is_idempotent_the_first_record_stands()
    {
        var batch = Enumerable.Range(0, 5).Select(i => Tx.Quiet($"idem-{i}", "acct-idem", Tx.T0.AddMinutes(i), 20m)).ToList();
        using (var first = await Http.PostAsync("transactions", Tx.Json(batch)))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, first);
        }

        var scoredAt = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            scoredAt.Add((await Http.OkJsonAsync($"transactions/idem-{i}")).Str("scoredAt"));
        }

        var before = (await Http.OkJsonAsync("stats"))["transactions"]!.GetValue<long>();

        // The producer did not see the 202 and sends it all again, one amount even changed.
        var resend = batch.Select(t => t.DeepClone().AsObject()).ToList();
        resend[2]["amount"] = 999m;
        using (var again = await Http.PostAsync("transactions", Tx.Json(resend)))
        {
            await HttpAssert.StatusAsync(HttpStatusCode.Accepted, again);
        }

        Assert.Equal(before, (await Http.OkJsonAsync("stats"))["transactions"]!.GetValue<long>());
        Assert.Equal(5L, _host.LedgerScalar("SELECT count(*) FROM scored_transactions WHERE account_id = 'acct-idem'"));
        for (var i = 0; i < 5; i++)
        {
            var scored = await Http.OkJsonAsync($"transactions/idem-{i}");
            Assert.Equal(scoredAt[i], scored.Str("scoredAt"));
            Assert.Equal(20m, scored["amount"]!.GetValue<decimal>());
        }
    }

    [Fact]
    public async Task An_unknown_transaction_is_404_as_problem_details()
    {
        using var response = await Http.GetAsync("transactions/never-sent");

        HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.NotFound, response), HttpStatusCode.NotFound);
    }

    public sealed class Fixture : HostFixture
    {
        protected override string[] Settings => [$"Fraud:Api:MaxBatchSize={MaxBatch}", $"Fraud:Api:MaxBodyBytes={MaxBody}"];
    }

    /// <summary>A body sent with chunked transfer encoding: no Content-Length, so the server must count as it reads.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < _bytes.Length; offset += 4096)
            {
                await stream.WriteAsync(_bytes.AsMemory(offset, Math.Min(4096, _bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
