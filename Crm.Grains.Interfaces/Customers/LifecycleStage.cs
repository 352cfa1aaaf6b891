namespace Crm.Customers;

public enum LifecycleStage
{
    Lead = 0,
    Prospect = 1,
    Customer = 2,
    Churned = 3,
}
