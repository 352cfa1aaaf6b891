namespace Crm.Customers;

/// <summary>
/// References to customer grains for the apply path, which asks for one per customer per batch. Orleans'
/// <c>GetGrain&lt;T&gt;(key)</c> resolves the interface's grain type by reflection on every call (measured: about 5% of
/// what the ingest path allocated); here the grain type and interface type are resolved once.
/// </summary>
internal sealed class CustomerGrainReferences
{
    private readonly IGrainFactory _grains;
    private readonly GrainType _grainType;
    private readonly GrainInterfaceType _interfaceType;

    public CustomerGrainReferences(IGrainFactory grains)
    {
        _grains = grains;
        var prototype = (GrainReference)grains.GetGrain<ICustomerGrain>("prototype");
        (_grainType, _interfaceType) = (prototype.GrainId.Type, prototype.InterfaceType);
    }

    public ICustomerGrain Get(CustomerKey customer) =>
        (ICustomerGrain)_grains.GetGrain(GrainId.Create(_grainType, customer.ToString()), _interfaceType);
}
