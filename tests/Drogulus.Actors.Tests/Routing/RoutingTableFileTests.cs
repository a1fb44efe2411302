using Akka.Actor;
using Akka.TestKit.Xunit2;
using Drogulus.Actors.Configuration;
using Drogulus.Actors.Network;
using Drogulus.Actors.Node;
using Drogulus.Actors.Protocol;
using Drogulus.Actors.Routing;
using Drogulus.Core.Identity;
using Drogulus.Core.Routing;
using Drogulus.Testing;

namespace Drogulus.Actors.Tests.Routing;

/// <summary>
/// PROTOCOL §8, a restarted node rejoins through its saved contacts: the routing table is saved to
/// <c>drogulus.routing-table.file</c> while the node runs (so that a kill -9 keeps nine tenths of it), at stop,
/// and loaded when the node starts. Virtual time drives the periodic save; the writes themselves are real,
/// so the specs wait for the file with a generous ceiling.
/// </summary>
public sealed class RoutingTableFileTests : TestKit, IDisposable
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(60);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "drogulus-table-specs-" + Guid.NewGuid().ToString("N"));
    private readonly Random _random = new(2626);
    private readonly Key _ownId;

    public RoutingTableFileTests()
        : base(VirtualTime.Config)
    {
        _ownId = Key.Random(_random);
    }

    private string FilePath => Path.Combine(_directory, "nested", "routing-table.bin");

    private DrogulusSettings Settings(string extra = "") =>
        DrogulusConfig.SettingsFrom($"drogulus {{ k = 4, routing-table {{ file = \"{FilePath}\", save-interval = 1m\n {extra} }} }}");

    [Fact]
    public async Task RoutingTable_should_keep_nine_tenths_of_its_contacts_on_disk_while_it_runs_when_many_contacts_arrive()
    {
        var settings = Settings();
        var table = new RoutingTable(_ownId, settings.K, settings.AllowedRpcFails, Sys.Scheduler.Now);
        var routing = Sys.ActorOf(RoutingTableActor.Props(table, settings, CreateTestProbe().Ref, new Random(1), new RoutingTableFile(FilePath)));

        foreach (var contact in Contacts(300))
        {
            routing.Tell(new RoutingTableActor.AddContact(contact));
        }

        var held = (await routing.Ask<RoutingTableActor.RoutingStatus>(RoutingTableActor.GetRoutingStatus.Instance, Ceiling)).Contacts;
        Assert.True(held >= 20, $"the spec needs a table of some size; it holds {held}");

        // The virtual clock stands still: only the saves after many changes can have written the file.
        await AwaitAssertAsync(() => Assert.True(SavedCount() >= held * 9 / 10, $"{SavedCount()} of {held} contacts saved"), Ceiling);
        Assert.False(File.Exists(FilePath + ".tmp"), "the temporary file was not renamed");
    }

    [Fact]
    public async Task RoutingTable_should_save_a_few_changes_after_save_interval_when_they_are_too_few_for_an_early_save()
    {
        var settings = Settings("save-after-changes = 1000");
        var table = new RoutingTable(_ownId, settings.K, settings.AllowedRpcFails, Sys.Scheduler.Now);
        foreach (var contact in Contacts(300))
        {
            table.Add(contact);
        }

        var routing = Sys.ActorOf(RoutingTableActor.Props(table, settings, CreateTestProbe().Ref, new Random(1), new RoutingTableFile(FilePath)));
        var before = table.Count;

        // One newcomer is fewer than a tenth of the table: no early save.
        var newcomer = Contacts(1000).First(c => table.HasRoomFor(c.Id) && table.Find(c.Id) is null);
        routing.Tell(new RoutingTableActor.AddContact(newcomer));
        Assert.Equal(before + 1, (await routing.Ask<RoutingTableActor.RoutingStatus>(RoutingTableActor.GetRoutingStatus.Instance, Ceiling)).Contacts);
        Assert.False(File.Exists(FilePath), "saved before save-interval although fewer than a tenth of the contacts changed");

        VirtualTime.Scheduler(this).Advance(settings.RoutingTableSaveInterval);

        await AwaitAssertAsync(() => Assert.Equal(before + 1, SavedCount()), Ceiling);
    }

    [Fact]
    public async Task RoutingTable_should_save_every_contact_when_it_stops()
    {
        var settings = Settings("save-after-changes = 1000");
        var table = new RoutingTable(_ownId, settings.K, settings.AllowedRpcFails, Sys.Scheduler.Now);
        foreach (var contact in Contacts(300))
        {
            table.Add(contact);
        }

        var routing = Sys.ActorOf(RoutingTableActor.Props(table, settings, CreateTestProbe().Ref, new Random(1), new RoutingTableFile(FilePath)));
        var probe = CreateTestProbe();
        probe.Watch(routing);
        Sys.Stop(routing);
        await probe.ExpectTerminatedAsync(routing, Ceiling);

        Assert.Equal(table.Count, SavedCount());
    }

    [Fact]
    public async Task Node_should_start_with_the_contacts_of_its_routing_table_file_when_one_was_saved()
    {
        var settings = Settings();
        using var identity = NodeIdentity.Generate(Sys.Scheduler.Now);
        var saved = new RoutingTable(identity.Id, settings.K, settings.AllowedRpcFails, Sys.Scheduler.Now);
        foreach (var contact in Contacts(300))
        {
            saved.Add(contact);
        }

        new RoutingTableFile(FilePath).Save(RoutingTableSnapshot.Save(saved), 1);

        var node = Sys.ActorOf(NodeActor.Props(settings, identity, new MemoryNetwork(), seed: 1));

        Assert.Equal(saved.Count, (await node.Ask<NodeStatus>(GetNodeStatus.Instance, Ceiling)).Contacts);
    }

    [Fact]
    public async Task Node_should_start_empty_when_its_routing_table_file_is_unreadable()
    {
        var settings = Settings();
        using var identity = NodeIdentity.Generate(Sys.Scheduler.Now);
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        await File.WriteAllTextAsync(FilePath, "not a routing table");

        var node = Sys.ActorOf(NodeActor.Props(settings, identity, new MemoryNetwork(), seed: 1));

        Assert.Equal(0, (await node.Ask<NodeStatus>(GetNodeStatus.Instance, Ceiling)).Contacts);
    }

    [Fact]
    public void RoutingTableFile_should_keep_the_newer_table_when_an_older_save_comes_last()
    {
        var file = new RoutingTableFile(FilePath);
        var older = new RoutingTable(_ownId, 4, 5, Sys.Scheduler.Now);
        var newer = new RoutingTable(_ownId, 4, 5, Sys.Scheduler.Now);
        newer.Add(Contacts(1).Single());
        var olderVersion = file.NextVersion();
        var newerVersion = file.NextVersion();

        Assert.True(file.Save(RoutingTableSnapshot.Save(newer), newerVersion));
        Assert.False(file.Save(RoutingTableSnapshot.Save(older), olderVersion));

        Assert.Equal(1, SavedCount());
    }

    private int SavedCount() =>
        File.Exists(FilePath) ? new RoutingTableFile(FilePath).Load(_ownId, 4, 5, Sys.Scheduler.Now)?.Count ?? 0 : 0;

    private IEnumerable<Contact> Contacts(int count)
    {
        var random = new Random(count);
        for (var i = 0; i < count; i++)
        {
            yield return new Contact(Key.Random(random), "127.0.0." + (1 + (i % 250)), 4000 + i, "1.0", Sys.Scheduler.Now);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
