namespace Coupons.Core.Tests;

public class RedemptionRangeTests
{
    // Sunday 15 June 2025 at 09:30, local wall-clock time.
    static readonly DateTime SundayMorning = new(2025, 6, 15, 9, 30, 0);

    [Theory]
    [InlineData("{\"dom\":[\"-1\"],\"dow\":[\"-1\"],\"hours\":[\"-1\"]}")]
    [InlineData("{\"dom\" : [-1], \"dow\": [-1], \"hours\": [-1]}")]
    [InlineData("{\"dom\":[],\"dow\":[],\"hours\":[]}")]
    [InlineData("{}")]
    [InlineData("{\"dom\":[5,-1]}")]
    [InlineData(null)]
    [InlineData("  ")]
    public void Ranges_of_minus_one_empty_or_missing_lists_allow_any_time(string? json)
    {
        Assert.True(RedemptionRange.TryParse(json, out var range));
        Assert.Empty(range.DaysOfMonth);
        Assert.Empty(range.DaysOfWeek);
        Assert.Empty(range.Hours);
        Assert.True(range.Allows(SundayMorning));
        Assert.True(range.Allows(new DateTime(2025, 2, 28, 23, 59, 0)));
    }

    [Fact]
    public void Values_may_be_numbers_or_numeric_strings()
    {
        Assert.True(RedemptionRange.TryParse("{\"dom\":[\"15\", 1],\"dow\":[0, \"6\"],\"hours\":[\"9\",10]}", out var range));
        Assert.Equal([1, 15], range.DaysOfMonth);
        Assert.Equal([0, 6], range.DaysOfWeek);
        Assert.Equal([9, 10], range.Hours);
    }

    [Fact]
    public void Keys_are_read_case_insensitively()
    {
        Assert.True(RedemptionRange.TryParse("{\"HOURS\":[9]}", out var range));
        Assert.Equal([9], range.Hours);
    }

    [Theory]
    [InlineData("{\"hours\":[9]}", true)]
    [InlineData("{\"hours\":[10]}", false)]
    [InlineData("{\"dow\":[0]}", true)]           // 0 is Sunday
    [InlineData("{\"dow\":[1,2,3,4,5]}", false)]  // weekdays only
    [InlineData("{\"dom\":[15]}", true)]
    [InlineData("{\"dom\":[1,2]}", false)]
    [InlineData("{\"dom\":[15],\"dow\":[0],\"hours\":[8]}", false)]
    public void A_range_allows_only_its_days_and_hours(string json, bool allowed)
    {
        Assert.True(RedemptionRange.TryParse(json, out var range));
        Assert.Equal(allowed, range.Allows(SundayMorning));
    }

    [Theory]
    [InlineData("{\"dom\":[0]}")]
    [InlineData("{\"dom\":[32]}")]
    [InlineData("{\"dow\":[7]}")]
    [InlineData("{\"hours\":[24]}")]
    [InlineData("{\"hours\":[-2]}")]
    [InlineData("{\"hours\":[\"nine\"]}")]
    [InlineData("{\"hours\":[9.5]}")]
    [InlineData("{\"hours\":9}")]
    [InlineData("[-1]")]
    [InlineData("{\"dom\":[1,}")]
    [InlineData("every day")]
    public void Malformed_or_out_of_range_ranges_do_not_parse(string json)
    {
        Assert.False(RedemptionRange.TryParse(json, out _));
    }
}

public class IdListTests
{
    [Theory]
    [InlineData("[-1]", new long[] { -1 })]
    [InlineData("[\"-1\"]", new long[] { -1 })]
    [InlineData("[12, \"13\"]", new long[] { 12, 13 })]
    [InlineData("[]", new long[0])]
    [InlineData("", new long[0])]
    public void Id_lists_read_numbers_and_numeric_strings(string json, long[] expected)
    {
        Assert.True(IdList.TryParse(json, out var ids));
        Assert.Equal(expected, ids);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("{\"ids\":[1]}")]
    [InlineData("[\"x\"]")]
    [InlineData("[1.5]")]
    [InlineData("[null]")]
    [InlineData("[1,")]
    public void Anything_but_an_array_of_integers_is_not_an_id_list(string json)
    {
        Assert.False(IdList.TryParse(json, out _));
    }

    [Theory]
    [InlineData("[-1]", true)]
    [InlineData("[]", true)]
    [InlineData("[7, 8]", true)]
    [InlineData("[\"7\"]", true)]
    [InlineData("[8, 9]", false)]
    [InlineData("not json", false)]
    public void A_store_list_allows_its_stores_or_any_store(string json, bool allowed)
    {
        Assert.Equal(allowed, IdList.Allows(json, 7));
    }
}
