using System.Buffers;
using System.Numerics;
using Fraud.Runtime.Hosting;
using Microsoft.Net.Http.Headers;

namespace Fraud.Api.Apis;

/// <summary>
/// A JSON request body read whole, within the request's size limit and the process-wide
/// <see cref="RequestBodyBudget"/>; its bytes go back to the budget on dispose. When the body is
/// refused, <see cref="Refusal"/> is the answer to send (415, 413 or 503), and nothing was buffered
/// beyond what the budget allowed.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    /// <summary>
    /// Larger buffers are not pooled: the shared pool keeps what it is given (16 MiB arrays per core
    /// and size), so a burst of large bodies would stay resident long after it ended. The budget
    /// bounds how many are alive; the GC returns them.
    /// </summary>
    private const int MaxPooledBytes = 1024 * 1024;

    private readonly RequestBodyBudget? _budget;
    private byte[]? _buffer;
    private long _taken;

    private RequestBody(IResult refusal)
    {
        Refusal = refusal;
    }

    private RequestBody(RequestBodyBudget budget, byte[] buffer, long taken, int length)
    {
        _budget = budget;
        _buffer = buffer;
        _taken = taken;
        Length = length;
    }

    /// <summary>The answer to send instead of handling the request; null when the body was read.</summary>
    public IResult? Refusal { get; }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public static async Task<RequestBody> ReadJsonAsync(HttpContext http, long maxBytes, RequestBodyBudget budget)
    {
        var request = http.Request;
        if (!IsJson(request.ContentType))
        {
            return new(TypedResults.Problem(
                $"Send the body as JSON with 'Content-Type: application/json' (got {(string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"'{request.ContentType}'")}).",
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type."));
        }

        if (request.ContentLength > maxBytes)
        {
            return new(TooLarge(maxBytes));
        }

        // A declared length is taken whole before reading; a chunked body takes as it grows.
        var capacity = SizeFor((int)Math.Clamp(request.ContentLength ?? 64 * 1024, 1, maxBytes));
        if (!budget.TryTake(capacity))
        {
            return new(Busy(http, budget));
        }

        var taken = (long)capacity;
        var buffer = Rent(capacity);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= maxBytes)
                    {
                        if (await request.Body.ReadAsync(new byte[1], http.RequestAborted).ConfigureAwait(false) == 0)
                        {
                            return new RequestBody(budget, buffer, taken, length);
                        }

                        // Bytes past the limit: the declared length (if any) was false.
                        Release(budget, buffer, taken);
                        return new(TooLarge(maxBytes));
                    }

                    var grown = SizeFor((int)Math.Min((long)buffer.Length * 2, maxBytes));
                    if (!budget.TryTake(grown))
                    {
                        Release(budget, buffer, taken);
                        return new(Busy(http, budget));
                    }

                    var larger = Rent(grown);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    Release(budget, buffer, taken);
                    buffer = larger;
                    taken = grown;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), http.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    return new RequestBody(budget, buffer, taken, length);
                }

                length += read;
            }
        }
        catch (BadHttpRequestException e)
        {
            // The caller stopped sending before the declared length, or sent too slowly (Kestrel's
            // minimum data rate): its problem, answered as one, not logged as a server error.
            Release(budget, buffer, taken);
            return new(TypedResults.Problem(e.Message, statusCode: e.StatusCode, title: "The request body could not be read."));
        }
        catch
        {
            Release(budget, buffer, taken);
            throw;
        }
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            Release(_budget!, buffer, _taken);
            _taken = 0;
        }
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && (media.Charset.Length == 0 || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    /// <summary>What a buffer for <paramref name="bytes"/> really holds (the pool rounds up to a power of two), so the budget counts it.</summary>
    private static int SizeFor(int bytes) => bytes <= MaxPooledBytes ? (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(bytes, 16)) : bytes;

    private static byte[] Rent(int size) => size <= MaxPooledBytes ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private static void Release(RequestBodyBudget budget, byte[] buffer, long taken)
    {
        if (buffer.Length <= MaxPooledBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        budget.Return(taken);
    }

    private static IResult TooLarge(long max) => TypedResults.Problem(
        $"The body is larger than {max:N0} bytes; send smaller batches.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large.");

    private static IResult Busy(HttpContext http, RequestBodyBudget budget) => Problems.Unavailable(
        http,
        $"The server is holding {budget.Taken:N0} of its {budget.Limit:N0} bytes for request bodies; send the request again after the Retry-After delay.",
        TimeSpan.FromSeconds(1));
}
