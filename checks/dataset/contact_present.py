"""dataset.contact-present: a resident can reach someone about the dataset."""

from __future__ import annotations

from collections.abc import Iterator

from auditor import CheckContext, Dataset, DatasetCheck, Dimension, Finding, register


@register
class ContactPresent(DatasetCheck):
    """The dataset gives a way to contact whoever maintains it.

    **Why**: when a column is unclear or a value is wrong, a resident needs someone to ask;
    a portal with no feedback route never hears about its errors.
    **Passes**: an e-mail address or a contact URL in a contact field (see "Where each fact is
    read"); a publisher's home page or attribution link is not a way to ask. A contact's name
    without an address earns half.
    """

    id = "dataset.contact-present"
    question = "described"
    dimension = Dimension.UNDERSTANDABILITY
    weight = 1.0
    title = "Contact"
    fix = "Add a maintainer e-mail address (a team mailbox outlives a person's)."

    def run(self, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Look for an e-mail, a contact URL, then a name."""
        if dataset.contact_email:
            yield self.passed(dataset, "contact e-mail given", email=dataset.contact_email)
        elif dataset.contact_url:
            yield self.passed(dataset, "contact link given", url=dataset.contact_url)
        elif dataset.contact_name:
            yield self.failed(dataset, f"names {dataset.contact_name} but gives no way to reach them",
                              value=0.5, name=dataset.contact_name)
        else:
            yield self.failed(dataset, "no contact")
