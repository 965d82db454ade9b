"""The crime taxonomy (names are a contract, see ARCHITECTURE.md) and its MISP tags for export."""

from __future__ import annotations

__all__ = ["CATEGORIES", "MISP_TAGS", "MODEL_OUTPUTS", "OFFER", "RULE_CATEGORIES"]

CATEGORIES: tuple[str, ...] = (
    "drugs",
    "weapons",
    "stolen_data",
    "financial_fraud",
    "counterfeit_documents",
    "counterfeit_goods",
    "cybercrime_tools",
    "sexual_exploitation",
    "csam_indicator",
    "violent_content",
    "sanctions_evasion",
)

# csam_indicator never has built-in rules or model weights: it comes only from user-loaded indicator lists
# and media hash matches.
RULE_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if c != "csam_indicator")

# "offer" (a market post: offering or asking for goods or services) is scored like a category but reported
# as the boolean ``offer`` field.
OFFER = "offer"
MODEL_OUTPUTS: tuple[str, ...] = (*RULE_CATEGORIES, OFFER)

MISP_TAGS: dict[str, list[str]] = {
    "drugs": ['dark-web:topic="drugs-narcotics"'],
    "weapons": ['dark-web:topic="weapons"'],
    "stolen_data": ['dark-web:topic="identification-credentials"'],
    "financial_fraud": ['dark-web:topic="credit-card"', 'dark-web:motivation="scam"'],
    "counterfeit_documents": ['dark-web:topic="counterfeit-materials"'],
    "counterfeit_goods": ['dark-web:topic="counterfeit-materials"'],
    "cybercrime_tools": ['dark-web:topic="hacking"'],
    "sexual_exploitation": ['circl:incident-classification="sextortion"'],
    "csam_indicator": ['dark-web:topic="child-sexual-abuse-material"'],
    "violent_content": ['dark-web:topic="violence"'],
    "sanctions_evasion": ['dark-web:motivation="marketplace-for-sale"'],
}
