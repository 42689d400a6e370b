"""The project board (庁内プロジェクト): projects, boards, cards, members and 20%-rule recruiting."""
