using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fraud.DaprSidecar.Actors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fraud.DaprSidecar.Sidecar;

/// <summary>An app's answer to an actor call, passed on to the caller as daprd passes it.</summary>
internal sealed record ActorAppResponse(int StatusCode, IReadOnlyList<KeyValuePair<string, string>> Headers, string? ContentType, byte[] Body, bool IsActorError);

/// <summary>
/// The actor API (dapr pkg/api/http/actors.go) and the actor side of the app channel: hosting the
/// types the app's <c>/dapr/config</c> names, invoking methods on whichever sidecar's app hosts an
/// actor id (<see cref="DaprTestCluster.FindActorHost"/>), one call at a time per actor
/// (<see cref="ActorLock"/>), and the reminders API on the cluster's <see cref="ReminderScheduler"/>.
/// No actor state or timer API: the apps here keep no actor state and set no timers.
/// </summary>
public sealed partial class TestSidecar
{
    /// <summary>The .NET SDK's answer for an actor method that threw (Dapr.Actors Constants.ErrorResponseHeaderName).</summary>
    public const string ErrorResponseHeader = "X-DaprErrorResponseHeader";

    private static readonly IReadOnlySet<string> NoActorTypes = new HashSet<string>(StringComparer.Ordinal);

    // The app's response headers daprd does not pass back (the connection's own, and the content type it sets itself).
    private static readonly HashSet<string> NotPassedBack = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Content-Type", "Transfer-Encoding", "Connection", "Keep-Alive", "Date", "Server",
    };

    private readonly ConcurrentDictionary<(string Type, string Id), ActorLock> _actorLocks = new();
    private IReadOnlySet<string> _hostedActorTypes = NoActorTypes;

    /// <summary>The app's <c>/dapr/config</c> as daprd read it at attach; null when it answered no usable config.</summary>
    public ActorHostConfig? ActorConfig { get; private set; }

    /// <summary>Why <see cref="ActorConfig"/> is null although the app answered 200 (daprd only logs it).</summary>
    public string? ActorConfigError { get; private set; }

    /// <summary>The actor types this sidecar's app hosts (none once stopped).</summary>
    public IReadOnlySet<string> HostedActorTypes => IsRunning ? Volatile.Read(ref _hostedActorTypes) : NoActorTypes;

    /// <summary>This sidecar's address in the placement tables (daprd's is its host and internal gRPC port).</summary>
    internal string PlacementAddress => $"127.0.0.1:{GrpcPort}";

    internal bool HostsActorType(string actorType) => HostedActorTypes.Contains(actorType);

    /// <summary>
    /// pkg/runtime/runtime.go <c>loadAppConfiguration</c> with pkg/channel/http/http_channel.go
    /// <c>GetAppConfig</c>: <c>GET /dapr/config</c> with <c>dapr-app-id</c>; any status but 200 is an
    /// empty configuration; a transport or JSON error leaves the configuration unset (logged only).
    /// </summary>
    private async Task LoadAppConfigurationAsync()
    {
        try
        {
            using var response = await SendToAppAsync(HttpMethod.Get, "dapr/config", null, "app:config", headers: [new("dapr-app-id", AppId)]).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return;
            }

            ActorConfig = ActorHostConfig.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false), out var error);
            ActorConfigError = error;
        }
        catch (HttpRequestException e)
        {
            ActorConfigError = e.Message;
        }
    }

    // pkg/actors/actors.go RegisterHosted: the config's entities become the types placement routes here.
    private void RegisterHostedActors() =>
        Volatile.Write(ref _hostedActorTypes, ActorConfig is { } config ? new HashSet<string>(config.Types.Keys, StringComparer.Ordinal) : NoActorTypes);

    // pkg/api/http/actors.go constructActorEndpoints (the method route is one path segment, as chi's {method}).
    private void MapActorApi(WebApplication web)
    {
        web.MapMethods("/v1.0/actors/{actorType}/{actorId}/method/{method}", ["GET", "POST", "DELETE", "PUT"], InvokeActorAsync);
        web.MapMethods("/v1.0/actors/{actorType}/{actorId}/reminders/{name}", ["POST", "PUT"], CreateReminderAsync);
        web.MapDelete("/v1.0/actors/{actorType}/{actorId}/reminders/{name}", DeleteReminderAsync);
        web.MapGet("/v1.0/actors/{actorType}/{actorId}/reminders/{name}", GetReminderAsync);
    }

    private static string ActorKind(string method, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return (segments.Length > 4 ? segments[4] : string.Empty, method) switch
        {
            ("method", _) => "actor-invoke",
            ("reminders", "GET") => "actor-reminder-get",
            ("reminders", "DELETE") => "actor-reminder-unregister",
            ("reminders", _) => "actor-reminder-register",
            ("timers", _) => "actor-timer",
            ("state", _) => "actor-state",
            _ => "actor-other",
        };
    }

    /// <summary>
    /// pkg/api/http/actors.go <c>onDirectActorMessage</c>: the body, content type, query and headers
    /// go to the actor's host (the caller's token stays here). An answer of the app is passed back with
    /// its status, headers and body, including the .NET SDK's 200 with
    /// <see cref="ErrorResponseHeader"/> for a method that threw (pkg/actors/errors/actor_error.go keeps
    /// the app's status). Anything else, a 404 or other status from the app included, is
    /// 500 ERR_ACTOR_INVOKE_METHOD "error invoke actor method: …" (messages.ErrActorInvoke).
    /// </summary>
    private async Task InvokeActorAsync(HttpContext context, string actorType, string actorId, string method)
    {
        var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
        var host = Cluster.FindActorHost(actorType, actorId);
        if (host is null)
        {
            // pkg/actors/internal/placement/loops/disseminator/inflight/inflight.go resolve: no host for the
            // type is ErrActorNoAddress (daprd first waits up to a few seconds for one; this answers at once).
            await ActorError(context, StatusCodes.Status500InternalServerError, "ERR_ACTOR_INVOKE_METHOD",
                $"error invoke actor method: failed to lookup actor: api error: code = FailedPrecondition desc = did not find address for actor '{actorType}/{actorId}'").ConfigureAwait(false);
            return;
        }

        ActorAppResponse response;
        try
        {
            response = await host.CallActorAsync(
                actorType, actorId, method, context.Request.QueryString.Value ?? string.Empty, body, CallerHeaders(context.Request), "app:actor-invoke", context.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (ActorCallException e)
        {
            await ActorError(context, StatusCodes.Status500InternalServerError, "ERR_ACTOR_INVOKE_METHOD", "error invoke actor method: " + e.Message).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = response.StatusCode;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers.Append(name, value);
        }

        if (!string.IsNullOrEmpty(response.ContentType))
        {
            context.Response.ContentType = response.ContentType;
        }

        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The host's side of an actor call (pkg/actors/targets/app/app.go <c>doInvokeMethod</c>, HTTP
    /// transport pkg/actors/targets/app/transport/http/http.go <c>Invoke</c>): wait for the actor's
    /// turn, then <c>PUT actors/{type}/{id}/method/{method}</c> on the app (whatever the caller's verb)
    /// with the caller's headers and the app API token. A 404 is "actor method not found", any other
    /// status but 200 "error from actor service: (status) body" (<see cref="ActorCallException"/>).
    /// </summary>
    internal async Task<ActorAppResponse> CallActorAsync(
        string actorType, string actorId, string method, string query, byte[] body, IEnumerable<KeyValuePair<string, string>> callerHeaders, string kind,
        CancellationToken cancellationToken)
    {
        if (!HostsActorType(actorType) || ActorConfig?.For(actorType) is not { } settings)
        {
            throw new ActorCallException($"did not find address for actor '{actorType}/{actorId}'");
        }

        var actorLock = _actorLocks.GetOrAdd((actorType, actorId), _ => new ActorLock(settings.ReentrancyEnabled, settings.MaxStackDepth));
        var headers = callerHeaders.ToList();
        var fromRequest = headers.FirstOrDefault(h => string.Equals(h.Key, ActorLock.ReentrancyHeader, StringComparison.OrdinalIgnoreCase)).Value;
        var reentrancyId = actorLock.ReentrancyId(fromRequest);
        if (reentrancyId is not null && string.IsNullOrEmpty(fromRequest))
        {
            headers.Add(new(ActorLock.ReentrancyHeader, reentrancyId));
        }

        using var turn = await actorLock.LockAsync(reentrancyId, cancellationToken).ConfigureAwait(false);
        var path = $"actors/{actorType}/{actorId}/method/{method}";
        HttpResponseMessage answer;
        try
        {
            answer = await SendToAppAsync(HttpMethod.Put, path + query, new ByteArrayContent(body), kind, cancellationToken, headers, ActorChannel).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ActorCallException(e.Message);
        }

        using (answer)
        {
            var data = await answer.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var status = (int)answer.StatusCode;
            if (status == StatusCodes.Status404NotFound)
            {
                throw new ActorCallException("actor method not found: " + path);
            }

            if (status != StatusCodes.Status200OK)
            {
                throw new ActorCallException($"error from actor service: ({status}) {Encoding.UTF8.GetString(data)}");
            }

            var passed = answer.Headers.NonValidated.Concat(answer.Content.Headers.NonValidated)
                .Where(h => !NotPassedBack.Contains(h.Key))
                .SelectMany(h => h.Value.Select(v => KeyValuePair.Create(h.Key, v)))
                .ToList();
            return new ActorAppResponse(
                status, passed, answer.Content.Headers.ContentType?.ToString(), data, answer.Headers.NonValidated.Contains(ErrorResponseHeader));
        }
    }

    /// <summary>
    /// A reminder's trigger on this host (pkg/actors/targets/app/transport/http/http.go
    /// <c>InvokeReminder</c>): <c>PUT actors/{type}/{id}/method/remind/{name}</c>, JSON
    /// <c>{"data":…,"dueTime":"","period":""}</c> (the Scheduler's trigger has no due time or period),
    /// in the actor's turn. True when the app answered 200 without the error header
    /// (a truthy <c>X-DaprReminderCancel</c> is a success too).
    /// </summary>
    internal async Task<bool> FireReminderAsync(string actorType, string actorId, string name, string? data, CancellationToken cancellationToken)
    {
        var body = (data is null ? string.Empty : "\"data\":" + data + ",") + "\"dueTime\":\"\",\"period\":\"\"";
        var response = await CallActorAsync(
            actorType, actorId, "remind/" + name, string.Empty, Encoding.UTF8.GetBytes("{" + body + "}"),
            [new("Content-Type", "application/json")], "app:actor-reminder-fire", cancellationToken).ConfigureAwait(false);
        return !response.IsActorError;
    }

    /// <summary>
    /// pkg/api/http/actors.go <c>onCreateActorReminder</c>: the body decoded as
    /// <c>CreateReminderRequest</c> (keys case-insensitive, <c>data</c> kept as raw JSON; a decode error
    /// is 400 ERR_MALFORMED_REQUEST), 403 ERR_ACTOR_REMINDER_NON_HOSTED when this sidecar does not host
    /// the type (pkg/actors/reminders/reminders.go <c>Create</c>), 500 ERR_ACTOR_REMINDER_CREATE for
    /// values the Scheduler refuses, else 204.
    /// </summary>
    private async Task CreateReminderAsync(HttpContext context, string actorType, string actorId, string name)
    {
        var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
        string? dueTime, period, ttl, data;
        try
        {
            using var document = JsonDocument.Parse(body.Length == 0 ? throw new JsonException("EOF") : body);
            dueTime = StringField(document.RootElement, "dueTime");
            period = StringField(document.RootElement, "period");
            ttl = StringField(document.RootElement, "ttl");
            data = Field(document.RootElement, "data")?.GetRawText();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            await ActorError(context, StatusCodes.Status400BadRequest, "ERR_MALFORMED_REQUEST", "failed deserializing HTTP body: " + e.Message).ConfigureAwait(false);
            return;
        }

        if (!HostsActorType(actorType))
        {
            await NotHosted(context).ConfigureAwait(false);
            return;
        }

        try
        {
            Cluster.Scheduler.Create(actorType, actorId, name, dueTime ?? string.Empty, period ?? string.Empty, ttl, data);
        }
        catch (FormatException e)
        {
            await ActorError(context, StatusCodes.Status500InternalServerError, "ERR_ACTOR_REMINDER_CREATE", "error creating actor reminder: " + e.Message).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    // actors.go onDeleteActorReminder: 204, also for a name that is not registered (the Scheduler's DeleteJob).
    private async Task DeleteReminderAsync(HttpContext context, string actorType, string actorId, string name)
    {
        if (!HostsActorType(actorType))
        {
            await NotHosted(context).ConfigureAwait(false);
            return;
        }

        Cluster.Scheduler.Delete(actorType, actorId, name);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// actors.go <c>onGetActorReminder</c> with storage/scheduler/scheduler.go <c>Get</c>: the job as
    /// <c>api.Reminder</c> JSON (<c>period</c> is the Scheduler's <c>@every …</c>), <c>{}</c> when there is none.
    /// </summary>
    private async Task GetReminderAsync(HttpContext context, string actorType, string actorId, string name)
    {
        if (!HostsActorType(actorType))
        {
            await NotHosted(context).ConfigureAwait(false);
            return;
        }

        var json = new JsonObject();
        if (Cluster.Scheduler.Get(actorType, actorId, name) is { } reminder)
        {
            var schedule = ReminderScheduler.Schedule(reminder);
            if (schedule.Length > 0)
            {
                json["period"] = schedule;
            }

            if (reminder.Data is not null)
            {
                json["data"] = JsonNode.Parse(reminder.Data);
            }

            json["actorID"] = actorId;
            json["actorType"] = actorType;
            if (reminder.DueTime.Length > 0)
            {
                json["dueTime"] = reminder.DueTime;
            }
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    // pkg/messages ErrActorReminderOpActorNotHosted.
    private static Task NotHosted(HttpContext context) =>
        ActorError(context, StatusCodes.Status403Forbidden, "ERR_ACTOR_REMINDER_NON_HOSTED", "operations on actor reminders are only possible on hosted actor types");

    private static Task ActorError(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { errorCode = code, message });
    }

    // encoding/json: keys match case-insensitively, the last one wins.
    private static JsonElement? Field(JsonElement root, string name)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"json: cannot unmarshal {root.ValueKind.ToString().ToLowerInvariant()} into Go value of type actors.CreateReminderRequest");
        }

        JsonElement? found = null;
        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                found = property.Value;
            }
        }

        return found;
    }

    private static string? StringField(JsonElement root, string name) => Field(root, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw new JsonException($"json: cannot unmarshal into Go struct field CreateReminderRequest.{name} of type string"),
    };
}
