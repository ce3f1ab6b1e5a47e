using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fraud.DaprSidecar.PubSub;
using Fraud.DaprSidecar.State;
using Fraud.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fraud.DaprSidecar.Sidecar;

/// <summary>
/// One app's sidecar: Dapr's HTTP API (publish, invocation, actors, metadata, health) and gRPC API
/// (state, publish) on two loopback ports, and the app channel: discovery (<c>/dapr/config</c>,
/// <c>/dapr/subscribe</c>), deliveries and actor calls (TestSidecar.Actors.cs). Each behaviour
/// cites the daprd code it copies.
/// </summary>
public sealed partial class TestSidecar : IAsyncDisposable
{
    public const string ApiTokenHeader = "dapr-api-token";

    private readonly string? _appApiToken;
    private readonly string? _daprApiToken;
    private readonly List<SubscriptionConsumer> _consumers = [];
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private WebApplication? _web;

    internal TestSidecar(DaprTestCluster cluster, string appId, int appPort, string? appApiToken, string? daprApiToken, string consumerGroup)
    {
        Cluster = cluster;
        AppId = appId;
        ConsumerGroup = consumerGroup;
        AppPort = appPort;
        _appApiToken = appApiToken;
        _daprApiToken = daprApiToken;
        HttpPort = LoopbackPort.Free();
        GrpcPort = LoopbackPort.Free();
        // The resiliency policy's `delivery` timeout bounds one delivery attempt.
        App = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{appPort}"), Timeout = TimeSpan.FromSeconds(30) };
        // Actor calls have no timeout unless a resiliency policy for the actor type sets one.
        ActorChannel = new HttpClient { BaseAddress = App.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    public DaprTestCluster Cluster { get; }

    public string AppId { get; }

    public int AppPort { get; }

    /// <summary>The pub/sub component's <c>consumerGroup</c> for this app (each app has its own component in a cluster).</summary>
    public string ConsumerGroup { get; }

    public int HttpPort { get; }

    public int GrpcPort { get; }

    public bool IsRunning { get; private set; }

    /// <summary>The app's answer to <c>GET /dapr/subscribe</c> when it was not 200 (daprd then runs without subscriptions).</summary>
    public HttpStatusCode? DiscoveryStatus { get; private set; }

    /// <summary>Calls of one kind through this sidecar alone (the cluster's <see cref="DaprTestCluster.Calls"/> sums by app id).</summary>
    public long CallsOf(string kind) => _calls.GetValueOrDefault(kind);

    /// <summary>Connection to the app (the app channel).</summary>
    internal HttpClient App { get; }

    /// <summary>The app channel for actor calls, without the delivery timeout.</summary>
    internal HttpClient ActorChannel { get; }

    /// <summary>The environment daprd gives its app (<c>DAPR_HTTP_PORT</c>, <c>DAPR_GRPC_PORT</c>, <c>APP_ID</c>, the tokens).</summary>
    public IReadOnlyDictionary<string, string> AppEnvironment
    {
        get
        {
            var environment = new Dictionary<string, string>
            {
                ["DAPR_HTTP_PORT"] = HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["DAPR_GRPC_PORT"] = GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["APP_ID"] = AppId,
            };
            if (_appApiToken is not null)
            {
                environment["APP_API_TOKEN"] = _appApiToken;
            }

            if (_daprApiToken is not null)
            {
                environment["DAPR_API_TOKEN"] = _daprApiToken;
            }

            return environment;
        }
    }

    internal async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, HttpPort, o => o.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, GrpcPort, o => o.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        var web = builder.Build();
        web.Use(CleanPath);
        web.UseRouting();
        web.Use(CountAndAuthorize);
        web.MapGrpcService<DaprGrpcService>();
        // pkg/api/http/healthz.go: onGetHealthz, onGetOutboundHealthz (ready once initialised, before the app is).
        web.MapGet("/v1.0/healthz", () => Results.NoContent());
        web.MapGet("/v1.0/healthz/outbound", () => Results.NoContent());
        // pkg/api/http/metadata.go onGetMetadata (the JavaScript SDK's health check reads it).
        web.MapGet("/v1.0/metadata", () => Results.Json(new { id = AppId, runtimeVersion = "test-sidecar", enabledFeatures = Cluster.Settings.Features.ToArray() }));
        web.MapPost("/v1.0/publish/{pubsub}/{**topic}", PublishAsync);
        web.Map("/v1.0/invoke/{appId}/method/{**method}", InvokeServiceAsync);
        MapActorApi(web);
        await web.StartAsync().ConfigureAwait(false);
        _web = web;
        IsRunning = true;
    }

    /// <summary>
    /// What daprd does once its app listens (pkg/runtime/runtime.go, <c>blockUntilAppIsReady</c>, then
    /// <c>loadAppConfiguration</c>; once the app is healthy, subscriptions and then
    /// <c>actors.RegisterHosted</c>): reads <c>/dapr/config</c>, reads <c>/dapr/subscribe</c> and starts
    /// consuming, then hosts the configured actor types (placement sees them from then on).
    /// </summary>
    public async Task AttachAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, AppPort).ConfigureAwait(false);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }

        await LoadAppConfigurationAsync().ConfigureAwait(false);
        await SubscribeAsync().ConfigureAwait(false);
        RegisterHostedActors();
    }

    private async Task SubscribeAsync()
    {
        // pkg/runtime/pubsub/subscriptions.go, GetSubscriptionsHTTP: 404 means none; any other status
        // but 200 is logged ("app returned http status code %v from subscription endpoint") and the
        // sidecar runs without subscriptions; entries without a route are dropped.
        using var subscribe = await SendToAppAsync(HttpMethod.Get, "dapr/subscribe", null, "app:subscribe").ConfigureAwait(false);
        if (subscribe.StatusCode != HttpStatusCode.OK)
        {
            DiscoveryStatus = subscribe.StatusCode;
            return;
        }

        foreach (var item in JsonNode.Parse(await subscribe.Content.ReadAsStringAsync().ConfigureAwait(false))!.AsArray())
        {
            var subscription = Subscription.Parse(item!.AsObject());
            if (subscription is null || subscription.PubSub != Cluster.Settings.PubSubName)
            {
                continue;
            }

            var consumer = new SubscriptionConsumer(this, subscription, Cluster.Broker.Group(subscription.Topic, ConsumerGroup));
            lock (_consumers)
            {
                _consumers.Add(consumer);
            }

            consumer.Start();
        }
    }

    /// <summary>Leaves the consumer groups (a rebalance hands the partitions to the others) and stops listening.</summary>
    public async Task StopAsync()
    {
        if (!IsRunning)
        {
            return;
        }

        IsRunning = false;
        SubscriptionConsumer[] consumers;
        lock (_consumers)
        {
            consumers = [.. _consumers];
            _consumers.Clear();
        }

        await Task.WhenAll(consumers.Select(c => c.StopAsync())).ConfigureAwait(false);
        if (_web is not null)
        {
            await _web.StopAsync().ConfigureAwait(false);
            await _web.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        App.Dispose();
        ActorChannel.Dispose();
    }

    /// <summary>A request to the app, with the app API token (pkg/channel/http/http_channel.go, <c>constructRequest</c>).</summary>
    internal async Task<HttpResponseMessage> SendToAppAsync(
        HttpMethod method, string path, HttpContent? content, string kind, CancellationToken cancellationToken = default, IEnumerable<KeyValuePair<string, string>>? headers = null,
        HttpClient? channel = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        foreach (var (name, value) in headers ?? [])
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (_appApiToken is not null)
        {
            request.Headers.TryAddWithoutValidation(ApiTokenHeader, _appApiToken);
        }

        Count(kind);
        return await (channel ?? App).SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    private void Count(string kind)
    {
        _calls.AddOrUpdate(kind, 1, (_, n) => n + 1);
        Cluster.Count(AppId, kind);
    }

    /// <summary>
    /// Publishes as daprd does for both APIs (pkg/api/grpc/grpc.go <c>PublishEvent</c>, pkg/api/http/http.go
    /// <c>onPublish</c>): wrapped in a CloudEvent unless <c>rawPayload</c>, keyed by <c>partitionKey</c>
    /// (components-contrib common/component/kafka/producer.go, <c>Publish</c>). False for an unknown pub/sub.
    /// </summary>
    internal bool Publish(string pubsub, string topic, ReadOnlySpan<byte> data, string? contentType, IReadOnlyDictionary<string, string> metadata)
    {
        if (pubsub != Cluster.Settings.PubSubName)
        {
            return false;
        }

        var raw = metadata.TryGetValue("rawPayload", out var rawPayload) && rawPayload == "true";
        var value = raw ? data.ToArray() : CloudEvents.Wrap(AppId, pubsub, topic, data, contentType, metadata);
        var key = metadata.TryGetValue("partitionKey", out var partitionKey) ? partitionKey : metadata.GetValueOrDefault("__key");
        Cluster.Broker.Publish(topic, key, value, raw ? "application/octet-stream" : CloudEvents.ContentType);
        return true;
    }

    // pkg/api/http/http.go onPublish: metadata from the query's `metadata.` parameters; 204 when done.
    private async Task<IResult> PublishAsync(HttpContext context, string pubsub, string topic)
    {
        var metadata = context.Request.Query
            .Where(q => q.Key.StartsWith("metadata.", StringComparison.Ordinal))
            .ToDictionary(q => q.Key["metadata.".Length..], q => q.Value.ToString(), StringComparer.Ordinal);
        var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
        return Publish(pubsub, topic, body, context.Request.ContentType, metadata)
            ? Results.NoContent()
            : Results.Json(new { errorCode = "ERR_PUBSUB_NOT_FOUND", message = $"pubsub {pubsub} not found" }, statusCode: StatusCodes.Status404NotFound);
    }

    internal StateStoreSettings Store(string name) =>
        Cluster.Settings.StateStores.TryGetValue(name, out var store)
            ? store
            : throw new KeyNotFoundException($"state store {name} is not found");

    // pkg/api/http/server.go getRouter: CleanPathMiddleware and StripSlashesMiddleware come before
    // routing (the .NET actor client sends `//v1.0/actors/...`).
    private static Task CleanPath(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value;
        if (!string.IsNullOrEmpty(path) && (path.Contains("//", StringComparison.Ordinal) || (path.Length > 1 && path.EndsWith('/'))))
        {
            var cleaned = "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));
            context.Request.Path = new PathString(cleaned);
        }

        return next(context);
    }

    // pkg/http/api.go APITokenAuthMiddleware: every call but the health endpoints needs DAPR_API_TOKEN
    // when it is set ("invalid api token"); the header is not passed on.
    private async Task CountAndAuthorize(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        var kind = Kind(context.Request.Method, path);
        Count(kind);
        if (_daprApiToken is not null && kind != "healthz" && context.Request.Headers[ApiTokenHeader] != _daprApiToken)
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            {
                context.Response.ContentType = "application/grpc";
                context.Response.AppendTrailer("grpc-status", "16");
                context.Response.AppendTrailer("grpc-message", "invalid api token");
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsJsonAsync(new { errorCode = "ERR_UNAUTHORIZED", message = "invalid api token" }).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static string Kind(string method, string path) => path switch
    {
        _ when path.StartsWith("/dapr.proto.runtime.v1.Dapr/", StringComparison.Ordinal) => "grpc:" + path["/dapr.proto.runtime.v1.Dapr/".Length..],
        _ when path.StartsWith("/v1.0/healthz", StringComparison.Ordinal) => "healthz",
        _ when path.StartsWith("/v1.0/invoke/", StringComparison.Ordinal) => "invoke",
        _ when path.StartsWith("/v1.0/actors/", StringComparison.Ordinal) => ActorKind(method, path),
        _ => "other",
    };

    /// <summary>
    /// pkg/api/http/directmessaging.go <c>onDirectMessage</c>: the method, query, body and headers go
    /// to the target app (with its app API token); its status, headers and body come back.
    /// </summary>
    private async Task InvokeServiceAsync(HttpContext context, string appId, string? method)
    {
        var target = Cluster.Find(appId);
        if (target is null)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new { errorCode = "ERR_DIRECT_INVOKE", message = $"failed to invoke, id: {appId}" }).ConfigureAwait(false);
            return;
        }

        var content = new ByteArrayContent(await ReadBodyAsync(context.Request).ConfigureAwait(false));
        try
        {
            using var response = await target.SendToAppAsync(
                new HttpMethod(context.Request.Method), (method ?? string.Empty) + context.Request.QueryString, content, "app:invoke", context.RequestAborted,
                CallerHeaders(context.Request))
                .ConfigureAwait(false);
            context.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } type)
            {
                context.Response.ContentType = type.ToString();
            }

            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new { errorCode = "ERR_DIRECT_INVOKE", message = e.Message }).ConfigureAwait(false);
        }
    }

    // The caller's headers go on to the app (pkg/messaging/v1/util.go InternalMetadataToHTTPHeader),
    // but not the caller's token or the connection's own headers.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding", "Date", "Server", ApiTokenHeader, "dapr-app-id",
    };

    private static IEnumerable<KeyValuePair<string, string>> CallerHeaders(HttpRequest request) =>
        request.Headers.Where(h => !NotForwarded.Contains(h.Key)).Select(h => KeyValuePair.Create(h.Key, h.Value.ToString()));

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
