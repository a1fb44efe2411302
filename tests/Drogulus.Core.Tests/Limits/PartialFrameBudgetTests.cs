using Drogulus.Core.Limits;

namespace Drogulus.Core.Tests.Limits;

/// <summary>PROTOCOL §5: the bytes of half-sent frames are bounded for the whole node; past the bound the largest goes.</summary>
public sealed class PartialFrameBudgetTests
{
    [Fact]
    public void Report_should_name_nobody_while_the_total_fits()
    {
        var budget = new PartialFrameBudget<string>(100);

        Assert.Empty(budget.Report("a", 60));
        Assert.Empty(budget.Report("b", 40));

        Assert.Equal(100, budget.Total);
        Assert.Equal(2, budget.Count);
    }

    [Fact]
    public void Report_should_name_the_connection_with_the_largest_unfinished_frame_when_the_total_passes_the_bound()
    {
        var budget = new PartialFrameBudget<string>(100);
        budget.Report("small", 10);
        budget.Report("large", 70);

        // The newcomer tips the total over; the largest frame is closed, not the one that reported last.
        Assert.Equal(["large"], budget.Report("new", 30));
        Assert.Equal(40, budget.Total);
        Assert.Equal(2, budget.Count);
    }

    [Fact]
    public void Report_should_name_the_reporter_itself_when_its_own_frame_grew_to_be_the_largest()
    {
        var budget = new PartialFrameBudget<int>(100);
        for (var i = 1; i <= 9; i++)
        {
            budget.Report(i, 10);
        }

        Assert.Equal([10], budget.Report(10, 50));
        Assert.Equal(90, budget.Total);
    }

    [Fact]
    public void Report_should_replace_a_connections_figure_and_forget_it_at_zero()
    {
        var budget = new PartialFrameBudget<string>(100);
        budget.Report("a", 50);
        budget.Report("a", 80);
        Assert.Equal(80, budget.Total);

        budget.Report("a", 0);
        Assert.Equal(0, budget.Total);
        Assert.Equal(0, budget.Count);

        budget.Report("b", 30);
        budget.Remove("b");
        Assert.Equal(0, budget.Total);
    }
}
