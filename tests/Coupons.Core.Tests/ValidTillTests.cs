namespace Coupons.Core.Tests;

public class ValidTillTests
{
    static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;
    static readonly TimeZoneInfo Kolkata = TimeZones.FindOrUtc("Asia/Kolkata");
    static readonly TimeZoneInfo NewYork = TimeZones.FindOrUtc("America/New_York");

    static DateTimeOffset Utc_(int y, int m, int d, int h, int min, int s) => new(y, m, d, h, min, s, TimeSpan.Zero);

    [Fact]
    public void Series_expiry_ends_at_the_end_of_the_series_date_in_utc()
    {
        var series = A.Series with { ExpiryStrategyType = "SERIES_EXPIRY", ValidTillDate = Utc_(2025, 7, 1, 0, 0, 0) };
        Assert.Equal(Utc_(2025, 7, 1, 23, 59, 59), IssueRules.ValidTill(series, A.Now, Utc));
    }

    [Fact]
    public void Series_expiry_ends_at_the_end_of_the_series_date_in_the_organisations_zone()
    {
        var series = A.Series with { ExpiryStrategyType = "series_expiry", ValidTillDate = Utc_(2025, 7, 1, 0, 0, 0) };
        Assert.Equal(Utc_(2025, 7, 1, 18, 29, 59), IssueRules.ValidTill(series, A.Now, Kolkata));
    }

    [Fact]
    public void Series_expiry_reads_the_utc_date_of_the_series_date()
    {
        var series = A.Series with { ValidTillDate = new DateTimeOffset(2025, 7, 1, 2, 0, 0, TimeSpan.FromHours(5)) };
        Assert.Equal(Utc_(2025, 6, 30, 23, 59, 59), IssueRules.ValidTill(series, A.Now, Utc));
    }

    [Fact]
    public void Series_expiry_without_a_series_date_never_expires()
    {
        Assert.Null(IssueRules.ValidTill(A.Series with { ValidTillDate = null }, A.Now, Utc));
    }

    [Fact]
    public void Days_expiry_ends_n_days_after_the_local_issue_day()
    {
        var series = A.Series with { ExpiryStrategyType = "DAYS", ValidDaysFromCreation = 3 };
        // 20:00 UTC on the 15th is 01:30 on the 16th in Kolkata: the coupon runs to the end of the 19th there.
        var issuedOn = Utc_(2025, 6, 15, 20, 0, 0);
        Assert.Equal(Utc_(2025, 6, 19, 18, 29, 59), IssueRules.ValidTill(series, issuedOn, Kolkata));
        Assert.Equal(Utc_(2025, 6, 18, 23, 59, 59), IssueRules.ValidTill(series, issuedOn, Utc));
    }

    [Fact]
    public void Days_expiry_follows_daylight_saving_time()
    {
        var series = A.Series with { ExpiryStrategyType = "DAYS", ValidDaysFromCreation = 1 };
        // 02:00 UTC on the 15th is 22:00 EDT on the 14th; end of the 15th EDT is 03:59:59 UTC on the 16th.
        Assert.Equal(Utc_(2025, 6, 16, 3, 59, 59), IssueRules.ValidTill(series, Utc_(2025, 6, 15, 2, 0, 0), NewYork));
        // In January New York is on EST (UTC-5): 07:00 on the 15th runs to the end of the 16th.
        Assert.Equal(Utc_(2025, 1, 17, 4, 59, 59), IssueRules.ValidTill(series, Utc_(2025, 1, 15, 12, 0, 0), NewYork));
    }

    [Fact]
    public void Days_expiry_falls_back_to_the_expiry_strategy_value()
    {
        var series = A.Series with { ExpiryStrategyType = "days", ValidDaysFromCreation = -1, ExpiryStrategyValue = 2 };
        Assert.Equal(Utc_(2025, 6, 17, 23, 59, 59), IssueRules.ValidTill(series, A.Now, Utc));
    }

    [Fact]
    public void Days_expiry_prefers_valid_days_from_creation()
    {
        var series = A.Series with { ExpiryStrategyType = "DAYS", ValidDaysFromCreation = 10, ExpiryStrategyValue = 2 };
        Assert.Equal(Utc_(2025, 6, 25, 23, 59, 59), IssueRules.ValidTill(series, A.Now, Utc));
    }

    [Fact]
    public void Fixed_date_expiry_ends_at_the_end_of_the_fixed_date_in_the_organisations_zone()
    {
        var series = A.Series with { ExpiryStrategyType = "FIXED_DATE", FixedExpiryDate = Utc_(2025, 12, 31, 0, 0, 0), ValidTillDate = null };
        Assert.Equal(Utc_(2025, 12, 31, 23, 59, 59), IssueRules.ValidTill(series, A.Now, Utc));
        Assert.Equal(Utc_(2026, 1, 1, 4, 59, 59), IssueRules.ValidTill(series, A.Now, NewYork));
    }

    [Fact]
    public void Valid_till_is_in_utc_and_whole_seconds()
    {
        var series = A.Series with { ExpiryStrategyType = "DAYS", ValidDaysFromCreation = 1 };
        var validTill = IssueRules.ValidTill(series, A.Now.AddTicks(1234567), Kolkata)!.Value;
        Assert.Equal(TimeSpan.Zero, validTill.Offset);
        Assert.Equal(0, validTill.Ticks % TimeSpan.TicksPerSecond);
    }

    [Fact]
    public void An_unknown_expiry_strategy_gives_no_validity()
    {
        Assert.Null(IssueRules.ValidTill(A.Series with { ExpiryStrategyType = "WEEKS" }, A.Now, Utc));
    }

    [Theory]
    [InlineData("Asia/Kolkata", 330)]
    [InlineData("India Standard Time", 330)]
    [InlineData("UTC", 0)]
    [InlineData("Mars/Olympus_Mons", 0)]
    [InlineData("", 0)]
    [InlineData(null, 0)]
    public void Organisation_zones_are_found_by_iana_or_windows_id_else_utc(string? id, int offsetMinutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), TimeZones.FindOrUtc(id).GetUtcOffset(A.Now));
    }
}
