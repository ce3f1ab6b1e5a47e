using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Fraud.Api.Apis;
using Fraud.Api.Tests.Infrastructure;
using Fraud.TestSupport;

namespace Fraud.Api.Tests;

/// <summary>
/// Request bodies are held within a process-wide byte budget: callers who declare large bodies and
/// trickle them cannot make the API buffer more than it is configured to, and a refused caller learns
/// so before sending its body.
/// </summary>
public sealed class RequestMemoryTests(RequestMemoryTests.Fixture fixture) : IClassFixture<RequestMemoryTests.Fixture>
{
    private const int MaxBody = 64 * 1024;
    private const int Budget = 2 * MaxBody;

    private readonly ApiHost _host = fixture.Host;

    [Fact]
    public async Task Bodies_beyond_the_in_flight_budget_are_refused_with_503_before_they_are_read_and_the_budget_comes_back()
    {
        var budget = _host.Service<RequestBodyBudget>();
        Assert.Equal(Budget, budget.Limit);
        var tricklers = Enumerable.Range(0, 2).Select(_ => new TricklingContent(MaxBody)).ToList();
        using var senders = new HttpClient { BaseAddress = _host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var pending = tricklers.Select(t => senders.PostAsync("transactions", t)).ToList();
        await Poll.UntilAsync(() => budget.Taken == Budget, "both trickling bodies to take their declared length", TimeSpan.FromSeconds(20));

        using (var refused = await _host.Http.PostAsync("transactions", Tx.Json([Tx.Quiet("budget-1", "acct-budget", Tx.T0)])))
        {
            var problem = await HttpAssert.StatusAsync(HttpStatusCode.ServiceUnavailable, refused);
            HttpAssert.IsProblem(problem, HttpStatusCode.ServiceUnavailable);
            Assert.Contains($"{Budget:N0} bytes for request bodies", problem!.Str("detail"), StringComparison.Ordinal);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        // A caller that gives up returns its share; so does one that finishes (with a refusal: the padding is not JSON).
        foreach (var trickler in tricklers)
        {
            trickler.Finish();
        }

        foreach (var response in pending)
        {
            using var finished = await response;
            await HttpAssert.StatusAsync(HttpStatusCode.BadRequest, finished);
        }

        await Poll.UntilAsync(() => budget.Taken == 0, "the budget to be returned", TimeSpan.FromSeconds(20));
        using var accepted = await _host.Http.PostAsync("transactions", Tx.Json([Tx.Quiet("budget-2", "acct-budget", Tx.T0)]));
        await HttpAssert.StatusAsync(HttpStatusCode.Accepted, accepted);
    }

    [Fact]
    public async Task An_aborted_upload_returns_its_share_of_the_budget()
    {
        var budget = _host.Service<RequestBodyBudget>();
        await Poll.UntilAsync(() => budget.Taken == 0, "an idle budget", TimeSpan.FromSeconds(20));
        var trickler = new TricklingContent(MaxBody);
        using var cancel = new CancellationTokenSource();
        using var sender = new HttpClient { BaseAddress = _host.BaseAddress };
        var pending = sender.PostAsync("transactions", trickler, cancel.Token);
        await Poll.UntilAsync(() => budget.Taken == MaxBody, "the trickling body to take its declared length", TimeSpan.FromSeconds(20));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        await Poll.UntilAsync(() => budget.Taken == 0, "the aborted body's share to be returned", TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=iso-8859-1")]
    public async Task A_body_that_is_not_declared_as_utf8_json_is_415_naming_what_to_send(string? contentType)
    {
        foreach (var route in new[] { "transactions", "score" })
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Tx.Quiet($"media-{route}", "acct-media", Tx.T0).ToJsonString()));
            content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
            using var response = await _host.Http.PostAsync(route, content);
            var problem = await HttpAssert.StatusAsync(HttpStatusCode.UnsupportedMediaType, response);
            HttpAssert.IsProblem(problem, HttpStatusCode.UnsupportedMediaType);
            Assert.Contains("Content-Type: application/json", problem!.Str("detail"), StringComparison.Ordinal);
        }

        using var read = await _host.Http.GetAsync("transactions/media-transactions");
        await HttpAssert.StatusAsync(HttpStatusCode.NotFound, read);
    }

    [Fact]
    public async Task Json_with_an_explicit_utf8_charset_is_accepted()
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Tx.Quiet("media-utf8", "acct-media", Tx.T0).ToJsonString()));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=UTF-8");
        using var response = await _host.Http.PostAsync("transactions", content);
        await HttpAssert.StatusAsync(HttpStatusCode.Accepted, response);
    }

    [Fact]
    public async Task A_review_body_larger_than_any_review_is_413_not_buffered()
    {
        var huge = $$"""{"status": "dismissed", "note": "{{new string('x', 100_000)}}"}""";
        using var request = new HttpRequestMessage(HttpMethod.Patch, "anomalies/no-such-id") { Content = Tx.Raw(huge) };
        request.Headers.TryAddWithoutValidation("If-Match", "\"0\"");
        using var response = await _host.Http.SendAsync(request);
        HttpAssert.IsProblem(await HttpAssert.StatusAsync(HttpStatusCode.RequestEntityTooLarge, response), HttpStatusCode.RequestEntityTooLarge);
    }


    public sealed class Fixture : HostFixture
    {
        protected override string[] Settings => [$"Fraud:Api:MaxBodyBytes={MaxBody}", $"Fraud:Api:MaxInFlightBodyBytes={Budget}"];
    }

    /// <summary>A JSON-typed body of a declared length that sends its first bytes, then waits to be told to finish.</summary>
    private sealed class TricklingContent : HttpContent
    {
        private readonly int _length;
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TricklingContent(int length)
        {
            _length = length;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        public void Finish() => _finish.TrySetResult();

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var padding = new byte[_length];
            padding.AsSpan().Fill((byte)' ');
            padding[0] = (byte)'[';
            await stream.WriteAsync(padding.AsMemory(0, 1024), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            await _finish.Task.WaitAsync(cancellationToken);
            await stream.WriteAsync(padding.AsMemory(1024), cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _length;
            return true;
        }
    }
}
