namespace Crm.Ingestion;

/// <summary>
/// Which customer an identity belongs to, keyed "{tenant}/{kind}:{value}". The first customer to claim an identity
/// owns it; merging a customer into another moves its identities with it.
/// </summary>
[Alias("crm.identity-grain")]
public interface IIdentityGrain : IGrainWithStringKey
{
    [Alias("owner")]
    Task<string?> GetOwnerAsync();

    /// <summary>Makes <paramref name="customerId"/> the owner unless another customer owns it already.</summary>
    /// <returns>The owner after the call.</returns>
    [Alias("claim")]
    Task<string> ClaimAsync(string customerId);

    /// <summary>Moves the identity from a customer that was merged into another; does nothing if it is owned by someone else.</summary>
    [Alias("reassign")]
    Task ReassignAsync(string fromCustomerId, string toCustomerId);
}
