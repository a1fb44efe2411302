using System.Diagnostics.CodeAnalysis;
using static Drogulus.Actors.Network.TransportProtocol;

namespace Drogulus.Actors.Network.Tls;

/// <summary>
/// The peer's requests this node is answering on one open connection (PROTOCOL §5): at most <c>max-requests-in-flight</c>
/// are handed to the node at once, the excess is held in arrival order and handed on as answers go out. The connection
/// reads no more while any is held, so what is held is at most one read's worth. Pure: the owning actor hands on what
/// it is told to and reports each answer.
/// </summary>
internal sealed class PeerRequestsInFlight(int maxInFlight)
{
    private readonly Dictionary<string, int> _byUuid = new(StringComparer.Ordinal);
    private readonly Queue<InboundRequest> _held = new();

    /// <summary>Requests handed to the node and not answered yet.</summary>
    public int Count { get; private set; }

    /// <summary>Requests read and held until fewer than <c>max-requests-in-flight</c> are being answered.</summary>
    public int Held => _held.Count;

    /// <summary>Whether <c>max-requests-in-flight</c> are being answered.</summary>
    public bool Full => Count >= maxInFlight;

    /// <summary>Whether the node answered a request since the last one was handed to it.</summary>
    public bool AnsweredSinceDispatch { get; private set; }

    /// <summary>Whether any request of the peer is being answered or held.</summary>
    public bool Busy => Count > 0 || _held.Count > 0;

    /// <summary>True when <paramref name="request"/> is to be handed to the node now; otherwise it is held.</summary>
    public bool TryDispatch(InboundRequest request)
    {
        if (_held.Count > 0 || Full)
        {
            _held.Enqueue(request);
            return false;
        }

        Start(request);
        AnsweredSinceDispatch = false;
        return true;
    }

    /// <summary>
    /// The node answered <paramref name="uuid"/>: one fewer in flight. False when no request of that uuid is being
    /// answered (a reply the node sent unasked, or a second one).
    /// </summary>
    public bool Answered(string uuid)
    {
        if (!_byUuid.TryGetValue(uuid, out var count))
        {
            return false;
        }

        if (count == 1)
        {
            _byUuid.Remove(uuid);
        }
        else
        {
            _byUuid[uuid] = count - 1;
        }

        Count--;
        AnsweredSinceDispatch = true;
        return true;
    }

    /// <summary>The oldest held request, when it may be handed to the node now.</summary>
    public bool TryRelease([NotNullWhen(true)] out InboundRequest? request)
    {
        if (_held.Count == 0 || Full)
        {
            request = null;
            return false;
        }

        request = _held.Dequeue();
        Start(request);
        return true;
    }

    private void Start(InboundRequest request)
    {
        var uuid = request.Request.Uuid;
        _byUuid[uuid] = _byUuid.GetValueOrDefault(uuid) + 1;
        Count++;
    }
}
