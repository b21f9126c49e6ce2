//! The selling and subscription doctypes: Item, Quotation, Sales Order, Subscription Plan,
//! Subscription, and File (attachments).

use crate::doctypes::DocTypeMeta;

/// Item.
pub const ITEM: &str = "Item";
/// Quotation.
pub const QUOTATION: &str = "Quotation";
/// Sales Order.
pub const SALES_ORDER: &str = "Sales Order";
/// Subscription Plan.
pub const SUBSCRIPTION_PLAN: &str = "Subscription Plan";
/// Subscription.
pub const SUBSCRIPTION: &str = "Subscription";
/// File.
pub const FILE: &str = "File";

/// The metas of the doctypes above.
pub const DOCTYPES: &[DocTypeMeta] = &[
    DocTypeMeta {
        name: ITEM,
        fields: &[
            "item_code",
            "item_name",
            "item_group",
            "stock_uom",
            "description",
            "standard_rate",
            "is_stock_item",
            "is_sales_item",
            "disabled",
            "custom_billing_frequency",
        ],
        mandatory: &[("item_code", "Item Code")],
        autoname: "field:item_code",
    },
    DocTypeMeta {
        name: QUOTATION,
        fields: &[
            "naming_series",
            "title",
            "quotation_to",
            "party_name",
            "customer_name",
            "company",
            "transaction_date",
            "valid_till",
            "order_type",
            "currency",
            "language",
            "contact_person",
            "contact_email",
            "contact_mobile",
            "items",
            "taxes",
            "total_qty",
            "total",
            "net_total",
            "total_taxes_and_charges",
            "grand_total",
            "rounded_total",
            "status",
            "order_lost_reason",
            "terms",
            "custom_docuseal_signing_url",
            "custom_docuseal_envelope_id",
            "custom_quote_type",
        ],
        mandatory: &[("party_name", "Party")],
        autoname: "SAL-QTN-.YYYY.-",
    },
    DocTypeMeta {
        name: SALES_ORDER,
        fields: &[
            "naming_series",
            "title",
            "customer",
            "customer_name",
            "company",
            "order_type",
            "transaction_date",
            "delivery_date",
            "currency",
            "language",
            "contact_email",
            "contact_mobile",
            "items",
            "taxes",
            "total_qty",
            "total",
            "net_total",
            "total_taxes_and_charges",
            "grand_total",
            "rounded_total",
            "per_delivered",
            "per_billed",
            "status",
        ],
        mandatory: &[("customer", "Customer")],
        autoname: "SAL-ORD-.YYYY.-",
    },
    DocTypeMeta {
        name: SUBSCRIPTION_PLAN,
        fields: &[
            "plan_name",
            "currency",
            "item",
            "price_determination",
            "cost",
            "price_list",
            "billing_interval",
            "billing_interval_count",
        ],
        mandatory: &[
            ("plan_name", "Plan Name"),
            ("item", "Item"),
            ("price_determination", "Price Determination"),
        ],
        autoname: "field:plan_name",
    },
    DocTypeMeta {
        name: SUBSCRIPTION,
        fields: &[
            "naming_series",
            "party_type",
            "party",
            "company",
            "status",
            "start_date",
            "end_date",
            "current_invoice_start",
            "current_invoice_end",
            "days_until_due",
            "generate_invoice_at",
            "follow_calendar_months",
            "submit_invoice",
            "cancel_at_period_end",
            "plans",
            "custom_quotation",
            "custom_quotation_item",
        ],
        mandatory: &[("party_type", "Party Type"), ("party", "Party")],
        autoname: "ACC-SUB-.YYYY.-",
    },
    DocTypeMeta {
        name: FILE,
        fields: &[
            "file_name",
            "file_url",
            "file_type",
            "file_size",
            "content_hash",
            "is_private",
            "is_folder",
            "folder",
            "attached_to_doctype",
            "attached_to_name",
            "attached_to_field",
        ],
        mandatory: &[],
        autoname: "hash",
    },
];
