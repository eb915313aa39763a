using System.Security.Cryptography;
using Coupons.Server.Auth;
using Coupons.Storage;

namespace Coupons.Server;

/// <summary>On an empty database: organisation 1, one store, and an admin till from Coupons:Bootstrap:Till/Password.</summary>
public static class Bootstrap
{
    public static async Task RunAsync(ICouponStore store, IConfiguration config, ILogger log)
    {
        if (await store.HasOrganisationsAsync()) return;
        var till = config["Coupons:Bootstrap:Till"] is { Length: > 0 } t ? t : "admin";
        var password = config["Coupons:Bootstrap:Password"];
        var generated = string.IsNullOrEmpty(password);
        if (generated) password = RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);
        Result<long> result;
        try
        {
            result = await store.CreateOrganisationAsync("Organisation 1", "main", "Main store", till, PasswordHasher.Hash(password!));
        }
        catch (Exception)
        {
            // Another node starting at the same moment bootstrapped first; its till's unique code made ours roll back whole.
            if (await store.HasOrganisationsAsync()) return;
            throw;
        }
        if (!result.Ok)
        {
            if (await store.HasOrganisationsAsync()) return;
            throw new InvalidOperationException($"bootstrap failed: {result.Outcome.Message}");
        }
        if (generated)
            Console.WriteLine($"Created organisation {result.Value} with admin till '{till}' and password '{password}' (shown once; set Coupons:Bootstrap:Password to choose it).");
        else
            log.LogInformation("Created organisation {OrgId} with admin till {Till}", result.Value, till);
    }
}
