using Drogulus.Core.Items;

namespace Drogulus.PeerBench;

/// <summary>
/// What one put did, timed around the node's Ask in the process that hosts the node, so that a put started
/// in a child process (<c>--processes</c>) is timed like one started in this process: the pipe to the child
/// is not in the figure.
/// </summary>
/// <param name="ElapsedMs">Wall time of the Ask.</param>
/// <param name="Completed">The node answered <c>PutCompleted</c>.</param>
/// <param name="Messages">RPCs the put sent (lookup + remote stores).</param>
/// <param name="Replicas">Nodes that stored the item.</param>
/// <param name="LookupMs">The lookup's duration, when there was one.</param>
/// <param name="LookupRounds">The lookup's rounds, when there was one.</param>
internal sealed record PutOutcome(double ElapsedMs, bool Completed, int Messages, int Replicas, double? LookupMs, int? LookupRounds);

/// <summary>What one get answered, timed like <see cref="PutOutcome"/>.</summary>
/// <param name="ElapsedMs">Wall time of the Ask.</param>
/// <param name="Item">The item found, or null.</param>
/// <param name="NotFound">The node answered <c>ValueNotFound</c> (neither found nor not found: another reply).</param>
/// <param name="Rpcs">RPCs the lookup sent (0: answered from the node's own store).</param>
/// <param name="RepairStores">Read-repair stores the get sent.</param>
/// <param name="GcPauseMs">Time the runtime paused this process for collections while the get ran (issue 24: what the tail is made of).</param>
internal sealed record GetOutcome(double ElapsedMs, SignedItem? Item, bool NotFound, int Rpcs, int RepairStores, double GcPauseMs = 0);

/// <summary>The parts of a node's status the phases use.</summary>
internal sealed record NodeCounts(string Endpoint, int Contacts, int Items, int Connections);

/// <summary>A signed item as JSON text, to cross the pipe to a child process; every field, so equality survives.</summary>
internal sealed record ItemText(string Key, string Value, double Timestamp, double Expires, string CreatedWith, string PublicKey, string Name, Dictionary<string, string> Meta, string Signature)
{
    public static ItemText From(SignedItem item) => new(
        item.Key.ToString(), Convert.ToBase64String(item.Value.Span), item.Timestamp, item.Expires, item.CreatedWith, item.PublicKey,
        item.Name, new Dictionary<string, string>(item.Meta), Convert.ToBase64String(item.Signature.Span));

    public SignedItem ToItem() => new(
        global::Drogulus.Core.Identity.Key.Parse(Key), Convert.FromBase64String(Value), Timestamp, Expires, CreatedWith, PublicKey, Name, Meta, Convert.FromBase64String(Signature));
}

/// <summary>A <see cref="GetOutcome"/> as JSON text.</summary>
internal sealed record GetOutcomeText(double ElapsedMs, ItemText? Item, bool NotFound, int Rpcs, int RepairStores, double GcPauseMs = 0)
{
    public static GetOutcomeText From(GetOutcome outcome) =>
        new(outcome.ElapsedMs, outcome.Item is null ? null : ItemText.From(outcome.Item), outcome.NotFound, outcome.Rpcs, outcome.RepairStores, outcome.GcPauseMs);

    public GetOutcome ToOutcome() => new(ElapsedMs, Item?.ToItem(), NotFound, Rpcs, RepairStores, GcPauseMs);
}
