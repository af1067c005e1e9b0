from tests.support.review_demo import demo_ws, review_demo_root

__all__ = ["demo_ws", "review_demo_root"]
