"""The record of processing (UU PDP Art. 31): every display of personal data in full."""
